#!/usr/bin/env python3
"""Opens one page in headless Chromium and keeps it open until a condition holds in it, then
writes a PNG of it: the DevTools protocol over --remote-debugging-pipe (standard library
only, no port to race for).

    page_shot.py URL OUT.png --until 'JS expression' [--width 1200] [--height 900] [--timeout 60]

Prints "loaded" on stdout once the page's load event has fired, so a test can change what the
page shows only after that; then evaluates the expression every 100 ms until it is true. The
screenshot is taken only when it is: what the picture shows never depends on how fast the
machine is. --timeout bounds a page that never gets there (exit 3, with what the page showed).
"""
import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, profile):
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        keep_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        keep_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)

        def pipes_on_3_and_4():
            os.dup2(keep_r, 3)
            os.dup2(keep_w, 4)

        chromium = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--hide-scrollbars", "--remote-debugging-pipe", "--user-data-dir=" + profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            preexec_fn=pipes_on_3_and_4, pass_fds=(3, 4))
        for fd in (to_browser_r, from_browser_w, keep_r, keep_w):
            os.close(fd)
        self.writer = os.fdopen(to_browser_w, "wb", buffering=0)
        self.reader = os.fdopen(from_browser_r, "rb", buffering=0)
        self.buffer = b""
        self.events = []
        self.next_id = 0

    def _message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.reader], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = self.reader.read(65536)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe: " + self.process.stderr.read().decode(errors="replace")[-400:])
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None, deadline=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.writer.write(json.dumps(message).encode() + b"\0")
        deadline = deadline or time.monotonic() + 60
        while True:
            answer = self._message(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(method + ": " + json.dumps(answer["error"]))
                return answer.get("result", {})
            self.events.append(answer)

    def wait_event(self, method, session, deadline):
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    del self.events[index]
                    return event
            self.events.append(self._message(deadline))

    def close(self):
        try:
            self.call("Browser.close", deadline=time.monotonic() + 10)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--until", required=True)
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    profile = tempfile.mkdtemp(prefix="klab-page-shot-")
    browser = Browser(profile)
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"}, deadline=deadline)["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True}, deadline=deadline)["sessionId"]
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False},
                     session, deadline)
        browser.call("Page.enable", session=session, deadline=deadline)
        browser.call("Page.navigate", {"url": args.url}, session, deadline)
        browser.wait_event("Page.loadEventFired", session, deadline)
        print("loaded", flush=True)

        while True:
            result = browser.call("Runtime.evaluate", {"expression": args.until, "returnByValue": True},
                                  session, time.monotonic() + 30)
            if result.get("result", {}).get("value") is True:
                break
            if time.monotonic() > deadline:
                shown = browser.call("Runtime.evaluate", {"expression": "document.body.innerText.slice(0, 400)",
                                                          "returnByValue": True}, session, time.monotonic() + 10)
                print("page_shot: after %.0f s the page still does not satisfy %s; it shows: %s"
                      % (args.timeout, args.until, shown.get("result", {}).get("value")), file=sys.stderr)
                return 3
            time.sleep(0.1)

        shot = browser.call("Page.captureScreenshot", {"format": "png"}, session, time.monotonic() + 60)
        with open(args.out, "wb") as png:
            png.write(base64.b64decode(shot["data"]))
        return 0
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A small HTTP server for klab's http-source tests (never shipped): listens on 127.0.0.1 on a
free port, prints the port on its first line, and answers:

  /ok                    200 "ok"
  /headers               200 with the request's Host and X-Klab headers as JSON
  /to-metadata           302 to http://169.254.169.254/latest/meta-data/
  /to-https              302 to https://127.0.0.1:<port>/ok (another scheme)
  /to-ok                 302 to /ok (same scheme and host)
  /loop                  302 to /loop
  /big                   200 with a 2 MiB body and its Content-Length
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        port = self.server.server_address[1]
        if self.path == "/ok":
            self.answer(200, b"ok")
        elif self.path == "/headers":
            body = json.dumps({"host": self.headers.get("Host"), "klab": self.headers.get("X-Klab")}).encode()
            self.answer(200, body)
        elif self.path == "/to-metadata":
            self.answer(302, headers=[("Location", "http://169.254.169.254/latest/meta-data/")])
        elif self.path == "/to-https":
            self.answer(302, headers=[("Location", "https://127.0.0.1:%d/ok" % port)])
        elif self.path == "/to-ok":
            self.answer(302, headers=[("Location", "/ok")])
        elif self.path == "/loop":
            self.answer(302, headers=[("Location", "/loop")])
        elif self.path == "/big":
            self.answer(200, b"x" * (2 << 20))
        else:
            self.answer(404, b"not found")


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()

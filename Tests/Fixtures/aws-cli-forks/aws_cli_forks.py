"""The real `aws` CLI, imported once and forked per call (AWSCommandChecksTests).

Each `aws` process spends most of its CPU starting Python and importing awscli, botocore and
awscli's built-in plugin (`awscli.handlers`, which `create_clidriver` imports) before it sends
anything; the tests make hundreds of calls. This server pays for those imports once, then for
every request forks a child that does what `bin/aws` does with the request's argv and
environment: the same driver code, the same arguments, only the imports are shared.
AWSCommandChecksTests keeps a test that this equals running `aws` itself.

Of the modules imported here, two read the environment while being imported: awscli's package
init (AWS_DATA_PATH), which each child runs again on the request's environment, and
botocore.compat (BOTO_DISABLE_CRT). So run the server with the interpreter of the `aws` script
(its #! line) and the environment the calls get. Protocol, one JSON object per
line: it prints {"ready": true} once awscli is imported ({"ready": false, "error": ...} and ends
when it cannot be); then for each request
{"argv": ["aws", ...], "environment": {...}} on stdin it prints
{"status": N, "stdout": base64, "stderr": base64}, status as a shell reports it (128+signal
when the child was killed). It ends at the end of stdin.
"""

import base64
import importlib
import json
import os
import sys
import tempfile

try:
    import awscli
    import awscli.clidriver
    import awscli.plugin
    for module in awscli.plugin.BUILTIN_PLUGINS.values():
        importlib.import_module(module)
except ImportError as error:
    print(json.dumps({"ready": False, "error": f"{sys.executable} cannot import awscli: {error}"}), flush=True)
    sys.exit(1)


def run(argv, environment):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            child(argv, environment, out.fileno(), err.fileno())
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            code = 128 - code
        out.seek(0)
        err.seek(0)
        return code, out.read(), err.read()


def child(argv, environment, out, err):
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.environ.clear()
        os.environ.update(environment)
        sys.argv = list(argv)
        # what bin/aws does before it imports the driver
        if os.environ.get("LC_CTYPE", "") == "UTF-8":
            os.environ["LC_CTYPE"] = "en_US.UTF-8"
        # awscli's package init reads the environment (AWS_DATA_PATH, where its own data
        # lives): run it again on the request's environment, as a fresh process would
        importlib.reload(awscli)
        try:
            code = exit_status(awscli.clidriver.main())
        except SystemExit as exit:
            code = exit_status(exit.code)
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def exit_status(value):
    """The status `sys.exit(value)` gives a process."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    print(value, file=sys.stderr)
    return 1


def main():
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        code, out, err = run(request["argv"], request["environment"])
        print(json.dumps({
            "status": code,
            "stdout": base64.b64encode(out).decode("ascii"),
            "stderr": base64.b64encode(err).decode("ascii"),
        }), flush=True)


if __name__ == "__main__":
    main()

"""checks.py -- what the Python tests of the test API server share: a check that stops the
test at its first failure (and counts those that passed), and kube-apiserver's Status body
of a failure, to compare answers with."""
import json
import sys

count = 0


def check(cond, what, got=None):
    global count
    count += 1
    if not cond:
        sys.stderr.write("FAIL: %s\n" % what)
        if got is not None:
            shown = json.dumps(got, indent=1) if isinstance(got, (dict, list)) else repr(got)
            sys.stderr.write("  got: %s\n" % shown[:3000])
        sys.exit(1)


def status(code, reason, message, details=None):
    s = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
         "message": message, "reason": reason}
    if details is not None:
        s["details"] = details
    s["code"] = code
    return s

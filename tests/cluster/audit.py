#!/usr/bin/env python3
"""audit.py -- the requests a test made, read from the real API server's audit log.

Usage: audit.py AUDIT_LOG [--from LINE] [--agent PREFIX] [--user NAME] [--writes] [--count]

Prints one line per finished request, oldest first: VERB URI CODE USER AGENT (verb as
the audit log names it: get, list, watch, create, update, patch, delete...). --from skips
the first LINE lines (a mark taken with `wc -l`); --agent keeps requests whose User-Agent
starts with PREFIX; --user those of one user; --writes only create, update, patch and
delete; --count prints the number of requests instead.
"""
import argparse
import json
import sys

WRITES = {"create", "update", "patch", "delete", "deletecollection"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("log")
    p.add_argument("--from", dest="start", type=int, default=0)
    p.add_argument("--agent")
    p.add_argument("--user")
    p.add_argument("--writes", action="store_true")
    p.add_argument("--count", action="store_true")
    a = p.parse_args()
    out = []
    with open(a.log, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n < a.start or not line.strip():
                continue
            e = json.loads(line)
            agent = e.get("userAgent", "")
            user = e.get("user", {}).get("username", "")
            if a.agent and not agent.startswith(a.agent):
                continue
            if a.user and user != a.user:
                continue
            if a.writes and e.get("verb") not in WRITES:
                continue
            code = e.get("responseStatus", {}).get("code", 0)
            out.append("%s %s %s %s %s" % (e.get("verb"), e.get("requestURI"), code, user, agent))
    if a.count:
        print(len(out))
    else:
        sys.stdout.write("".join(o + "\n" for o in out))


if __name__ == "__main__":
    main()

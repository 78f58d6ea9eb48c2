#!/usr/bin/env python3
"""ready_sim.py -- the moving parts of the rolling-update simulation (tests/ready_lib.sh).

  server NAME PORT DELAY EVENTS   a stand-in feature server: GET /health is 503 until DELAY
                                  seconds after start (the registry load), then 200; it writes
                                  "healthy NAME <ms>" (the moment it starts answering 200) to EVENTS
  monitor DIR                     polls /readyz of every pod listed in DIR/pods.list ("NAME PORT
                                  [SERVER_PORT]") every $MONITOR_MS (10) ms, writes "ready|notready NAME <ms>"
                                  transitions to DIR/ready.log; with SERVER_PORT, first polls the
                                  server's /health (until it answers 200: "healthy NAME <ms>" in
                                  DIR/events); ends when DIR/stop exists
  drain PID PORT                  /readyz, SIGTERM to PID, then /readyz as fast as it answers: prints
                                  the milliseconds until it is not 200, the status before SIGTERM, the
                                  status (0: refused) and body of the first answer after it, and the
                                  number of 200s after it
  freeport [N]                    N free loopback TCP ports
  check DIR SYNC_MS [daemon]      the assertions over DIR's logs (see check()); with `daemon`, the
                                  guarded commands are the Lease's holds in each pod's daemon.log

Times are wall-clock epoch milliseconds, the clock the shell's `date +%s%3N` uses.
"""
import calendar
import http.server
import os
import re
import signal
import socket
import sys
import time
import urllib.error
import urllib.request


def ms():
    return int(time.time() * 1000)


def append(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def server(name, port, delay, events):
    t0 = time.time()
    ready_at = t0 + float(delay)
    append(events, "healthy %s %d" % (name, int(ready_at * 1000)))

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            ok = time.time() >= ready_at
            body = b"ok" if ok else b"loading the registry"
            self.send_response(200 if ok else 503)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), H)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    srv.serve_forever()


def readyz(port, timeout=0.5):
    return get("http://127.0.0.1:%s/readyz" % port, timeout)


def get(url, timeout):
    """(status, body); 0: refused or reset; -1: no answer in time, which says nothing (a
    loaded machine), so observers skip it."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except urllib.error.URLError as e:
        return (-1 if isinstance(e.reason, TimeoutError) else 0), b""
    except TimeoutError:
        return -1, b""
    except OSError:
        return 0, b""


def monitor(d):
    state, healthy = {}, set()
    while not os.path.exists(os.path.join(d, "stop")):
        try:
            pods = [l.split() for l in open(os.path.join(d, "pods.list")) if l.strip()]
        except FileNotFoundError:
            pods = []
        for name, port, *server in pods:
            if server and name not in healthy:
                # Before /readyz in the same round: a pod seen ready before its server was seen
                # healthy was ready first, unless this process stalled for a whole health period
                # between two requests. A server that did not answer in time: next round.
                code = get("http://127.0.0.1:%s/health" % server[0], 2)[0]
                if code == -1:
                    continue
                if code == 200:
                    healthy.add(name)
                    append(os.path.join(d, "events"), "healthy %s %d" % (name, ms()))
            code, _ = readyz(port, 0.3)
            if code == -1:
                continue
            now = "ready" if code == 200 else "notready"
            if state.get(name) != now:
                # A pod that never answered is not a transition yet.
                if name in state or now == "ready":
                    append(os.path.join(d, "ready.log"), "%s %s %d" % (now, name, ms()))
                state[name] = now
        time.sleep(int(os.environ.get("MONITOR_MS", "10")) / 1000)


def drain(pid, port):
    before, _ = readyz(port)
    t0 = time.monotonic()
    os.kill(int(pid), signal.SIGTERM)
    # A request sent once kill() returned is answered not ready: the daemon's handler has run
    # by the time any later connection of it is read, and its loop reads the signal pipe
    # before the connections of the same round.
    first, oks = (-1, "-"), None
    while time.monotonic() - t0 < 5:
        code, body = readyz(port, 1)
        if code == -1:
            continue
        if oks is None:
            first, oks = (code, body.decode(errors="replace").strip() or "-"), 0
        if code != 200:
            break
        oks += 1
    print("%.1f %d %d %s oks=%d" % ((time.monotonic() - t0) * 1000, before, first[0], first[1], oks or 0))


def freeport(n="1"):
    socks = [socket.socket() for _ in range(int(n))]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    print(" ".join(str(s.getsockname()[1]) for s in socks))
    for s in socks:
        s.close()


def load(path):
    try:
        return [l.split() for l in open(path) if l.strip()]
    except FileNotFoundError:
        return []


def log_ms(line):
    """The wall time (epoch ms) a daemon log line starts with."""
    t = time.strptime(line[:19], "%Y-%m-%dT%H:%M:%S")
    return int(calendar.timegm(t)) * 1000 + int(line[20:23])


def released(d):
    """When each daemon wrote a release (its log lines carry wall time with ms)."""
    out = []
    pods = os.path.join(d, "pods")
    for p in sorted(os.listdir(pods)):
        for line in open(os.path.join(pods, p, "daemon.log"), errors="replace"):
            if " lease: released " in line:
                out.append(log_ms(line))
    return sorted(out)


def holds(d):
    """The Lease's holds, from every pod's daemon.log: (start|end, POD, ms, fence|generation),
    in time order, an end before a start of the same millisecond."""
    out = []
    pods = os.path.join(d, "pods")
    for p in sorted(os.listdir(pods)):
        for line in open(os.path.join(pods, p, "daemon.log"), errors="replace"):
            m = re.search(r" lease: (acquired) .* \(fence (\d+)\)| lease: (released) .*\(generation (\d+)\)", line)
            if m:
                kind = "start" if m.group(1) else "end"
                out.append((kind, p, str(log_ms(line)), int(m.group(2) or m.group(4))))
    return sorted(out, key=lambda h: (int(h[2]), h[0] == "start"))


def lease_records(hs):
    """What the Lease itself says of the holds: each new holder's fence (leaseTransitions) is
    above the last, and each release adds exactly one registry generation."""
    bad = []
    fences = [f for k, _, _, f in hs if k == "start"]
    gens = [g for k, _, _, g in hs if k == "end"]
    if any(b <= a for a, b in zip(fences, fences[1:])):
        bad.append("fences not increasing in the order of the holds: %s" % fences)
    if any(b != a + 1 for a, b in zip(gens, gens[1:])):
        bad.append("generations not one per release: %s" % gens)
    return bad


def handoffs(d, applies, events):
    """The lock passing from one guarded command to a waiter: the waiter's start minus the
    holder's end, and minus the Lease release in between."""
    waiting = {n: int(t) for k, n, t in events if k in ("init", "feast-apply-start")}
    rel = released(d)
    gaps, from_release = [], []
    for i, (kind, who, t) in enumerate(applies[:-1]):
        nk, nwho, nt = applies[i + 1]
        te, ts = int(t), int(nt)
        if kind == "end" and nk == "start" and waiting.get(nwho, ts) < te:
            gaps.append(ts - te)
            r = [x for x in rel if te <= x <= ts]
            if r:
                from_release.append(ts - r[0])
    if not gaps:
        return []
    fmt = lambda v: "median %d ms, max %d ms (%d handoffs)" % (sorted(v)[len(v) // 2], max(v), len(v))
    out = ["lock handoff, holder's command end -> waiter's command start: " + fmt(gaps)]
    if from_release:
        out.append("lock handoff, Lease released -> waiter's command start: " + fmt(from_release))
    return out


def check(d, sync_ms, source="apply.log"):
    """Every rule of the simulation, from the logs; exits 1 with the reasons."""
    sync_ms = int(sync_ms)
    bad = []
    if source == "daemon":
        hs = holds(d)
        bad += lease_records(hs)
        applies = [h[:3] for h in hs]                 # start|end WHO ms: each hold of the Lease
    else:
        applies = load(os.path.join(d, "apply.log"))  # start|end WHO ms
    events = load(os.path.join(d, "events"))          # daemon|healthy|term NAME ms
    ready = load(os.path.join(d, "ready.log"))        # ready|notready NAME ms
    # 1. Guarded commands (applies and the materialize stand-ins) never overlap.
    open_ = None
    for kind, who, _ in applies:
        if kind == "start":
            if open_ is not None:
                bad.append("%s started while %s ran" % (who, open_))
            open_ = who
        else:
            if open_ != who:
                bad.append("%s ended while %s ran" % (who, open_))
            open_ = None
    ends = sorted(int(t) for k, _, t in applies if k == "end")
    first = lambda kind, name: next((int(t) for k, n, t in events if k == kind and n == name), None)
    pods = [n for k, n, _ in events if k == "daemon"]
    report = []
    for p in pods:
        start, healthy, term = first("daemon", p), first("healthy", p), first("term", p)
        end = next((int(t) for k, w, t in applies if k == "end" and w == p), None)
        ups = [int(t) for k, n, t in ready if k == "ready" and n == p]
        downs = [int(t) for k, n, t in ready if k == "notready" and n == p]
        if end is None or healthy is None or not ups:
            bad.append("%s: apply end %s, healthy %s, ready %s" % (p, end, healthy, ups[:1]))
            continue
        up = ups[0]
        # 2. Ready only after its apply, its server's registry load and the sync window --
        # which every apply that ended while it was not ready restarted.
        if up < end + sync_ms:
            bad.append("%s: ready %d ms after its apply ended (window %d)" % (p, up - end, sync_ms))
        if up < healthy:
            bad.append("%s: ready %d ms before its server was healthy" % (p, healthy - up))
        for e in ends:
            if start <= e < up and up < e + sync_ms:
                bad.append("%s: ready %d ms after an apply that ended at %d (window %d)" % (p, up - e, e, sync_ms))
        # 3. Once ready, ready until terminated: no flap, no outage effect.
        for t in downs:
            if t > up and (term is None or t < term):
                bad.append("%s: not ready at %d, %d ms after becoming ready, before termination" % (p, t, t - up))
        last = max([e for e in ends if start <= e < up] + [end])
        report.append("%s ready %d ms after the last apply it saw end (window %d)" % (p, up - last, sync_ms))
    report += handoffs(d, applies, events)
    for line in report:
        print(line)
    if bad:
        for b in bad:
            print("FAIL: " + b, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"server": server, "monitor": monitor, "drain": drain, "freeport": freeport, "check": check}[cmd](*args)

"""test_faults.py -- fault injection, tokens, request log, Deployment readiness delay,
watch closing and 410 (run by tests/scripts/apiserver_faults.sh with the server started
with --token-file-user $TOKEN_FILE=rotating-user --event-window 50)."""
import http.client
import os
import ssl
import threading
import time

import checks
from checks import check
from testclient import Client

c = Client.from_env()
LEASES = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
CMS = "/api/v1/namespaces/default/configmaps"


def lease(name, holder="a", rv=None):
    m = {"name": name}
    if rv:
        m["resourceVersion"] = rv
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": m,
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": 15}}


def fault(**spec):
    return c.admin("POST", "/admin/faults", spec)["faults"][0]


def raises(fn):
    try:
        fn()
    except (OSError, http.client.HTTPException, ssl.SSLError):
        return True
    return False


check(c.req("GET", "/admin/faults")[0] == 401, "admin API needs the admin token")
c.req("POST", LEASES, lease("lock"))

# ---- latency, scoped by path and method ----
fault(type="latency", seconds=1.5, path=LEASES, method="PUT", count=1)
t = time.monotonic()
c.req("GET", LEASES + "/lock")
check(time.monotonic() - t < 1.0, "latency not applied to other methods")
_, cur = c.req("GET", LEASES + "/lock")
t = time.monotonic()
code, cur = c.req("PUT", LEASES + "/lock", cur)
check(code == 200 and time.monotonic() - t >= 1.5, "latency on PUT", time.monotonic() - t)
t = time.monotonic()
c.req("PUT", LEASES + "/lock", cur)
check(time.monotonic() - t < 1.0, "count=1 latency is used up")

# ---- 5xx burst ----
fault(type="error", code=503, count=3, path=LEASES)
codes = [c.req("GET", LEASES + "/lock")[0] for _ in range(4)]
check(codes == [503, 503, 503, 200], "3 x 503 then 200", codes)
fault(type="error", code=500, count=1)
code, body = c.req("GET", LEASES + "/lock")
check(code == 500 and body["reason"] == "InternalError" and body["kind"] == "Status",
      "500 Status", body)
fault(type="error", code=429, count=1)
code, body = c.req("GET", LEASES + "/lock")
check(code == 429 and c.last_headers.get("Retry-After") == "1", "429 with Retry-After", body)

# ---- connection reset ----
fault(type="reset", count=1, path=LEASES)
check(raises(lambda: c.req("GET", LEASES + "/lock")), "reset closes the connection")
check(c.req("GET", LEASES + "/lock")[0] == 200, "next request is served")

# ---- response dropped after commit ----
_, cur = c.req("GET", LEASES + "/lock")
rv = cur["metadata"]["resourceVersion"]
fault(type="drop", count=1, path=LEASES)
cur["spec"]["holderIdentity"] = "dropped"
check(raises(lambda: c.req("PUT", LEASES + "/lock", cur)), "drop: no response")
_, now = c.req("GET", LEASES + "/lock")
check(now["spec"]["holderIdentity"] == "dropped" and now["metadata"]["resourceVersion"] != rv,
      "drop: the write was committed", now)
code, _ = c.req("PUT", LEASES + "/lock", cur)
check(code == 409, "drop: a retry with the old rv conflicts", code)

# ---- 409 storm on writes only ----
fault(type="conflict", count=2)
_, cur = c.req("GET", LEASES + "/lock")
codes = [c.req("PUT", LEASES + "/lock", cur)[0] for _ in range(3)]
check(codes == [409, 409, 200], "409 storm then success", codes)
check(c.req("GET", LEASES + "/lock")[0] == 200, "reads are not part of a 409 storm")

# ---- throttle: a 429 storm, with Retry-After or none, and only past an in-flight limit ----
fault(type="throttle", count=2, path=CMS)
codes = [c.req("GET", CMS)[0] for _ in range(3)]
check(codes == [429, 429, 200], "throttle storm then success", codes)
code, body = (fault(type="throttle", count=1, path=CMS, retryAfter=0), c.req("GET", CMS))[1]
check(code == 429 and body.get("reason") == "TooManyRequests", "throttle: a TooManyRequests Status", body)
fault(type="throttle", inflight=1, path=CMS, **{"for": 5})
check(c.req("GET", CMS)[0] == 200, "throttle inflight=1: a lone request passes")
fault(type="latency", seconds=1, count=1, path=LEASES)
slow = threading.Thread(target=lambda: Client.from_env().req("GET", LEASES))
slow.start()
time.sleep(0.3)
check(c.req("GET", CMS)[0] == 429, "throttle inflight=1: a second request in flight is refused")
slow.join()
c.admin("DELETE", "/admin/faults")

# ---- hang until released, hang with a timeout ----
fault(type="hang", count=1, path=LEASES + "/lock")
out = {}


def hung():
    cl = Client.from_env()
    t0 = time.monotonic()
    out["code"] = cl.req("GET", LEASES + "/lock")[0]
    out["t"] = time.monotonic() - t0


th = threading.Thread(target=hung)
th.start()
deadline = time.monotonic() + 20
while c.admin("GET", "/admin/faults")["hanging"] != 1 and time.monotonic() < deadline:
    time.sleep(0.02)
time.sleep(0.5)
check(th.is_alive() and c.admin("GET", "/admin/faults")["hanging"] == 1,
      "hung request has no answer")
check(c.req("GET", LEASES)[0] == 200, "other requests are served meanwhile")
c.admin("POST", "/admin/release")
th.join(5)
check(out.get("code") == 200 and out["t"] >= 0.5, "released request is served", out)
fault(type="hang", seconds=0.5, count=1)
t = time.monotonic()
check(raises(lambda: c.req("GET", LEASES + "/lock")) and time.monotonic() - t >= 0.5,
      "hang with a timeout closes the connection")

# ---- forbid on one path and method ----
fault(type="forbid", path="/api/v1/namespaces/default/pods", method="PATCH", count=1)
code, body = c.req("PATCH", "/api/v1/namespaces/default/pods/x/status", {},
                   ctype="application/strategic-merge-patch+json")
check(code == 403 and body["reason"] == "Forbidden", "forbid fault", body)
check(c.admin("GET", "/admin/faults")["faults"] == [], "every counted fault used up")
f = fault(type="error", code=503)
check(c.req("GET", CMS)[0] == 503, "unlimited fault")
c.admin("DELETE", "/admin/faults?id=%d" % f["id"])
check(c.req("GET", CMS)[0] == 200, "fault removed by id")
fault(type="error", code=502, **{"for": 2})
check(c.req("GET", CMS)[0] == 502, "timed fault active")
time.sleep(2.1)
check(c.req("GET", CMS)[0] == 200, "timed fault expired")

# ---- an outage: connections reset before TLS, then service again ----
fault(type="refuse", **{"for": 1.5})
check(raises(lambda: c.req("GET", CMS)), "refuse: open connection reset")
check(raises(lambda: c.req("GET", CMS)), "refuse: new connection reset")
time.sleep(1.6)
check(c.req("GET", CMS)[0] == 200, "after the outage")

# ---- tokens: expiring, expired on command, rotated through a file ----
c.admin("POST", "/admin/tokens", {"token": "short", "user": "shorty", "expiresIn": 2})
check(c.req("GET", CMS, token="short")[0] == 200, "new token works")
time.sleep(2.1)
check(c.req("GET", CMS, token="short")[0] == 401, "token expired after its time")
c.admin("POST", "/admin/tokens", {"token": "t2", "user": "u2"})
check(c.req("GET", CMS, token="t2")[0] == 200, "token t2 works")
c.admin("POST", "/admin/tokens/expire", {"token": "t2"})
check(c.req("GET", CMS, token="t2")[0] == 401, "token expired on command")
c.admin("POST", "/admin/tokens", {"token": "t3", "user": "u3"})
c.admin("POST", "/admin/tokens/expire", {"token": "t3", "afterRequests": 2})
check([c.req("GET", CMS, token="t3")[0] for _ in range(3)] == [200, 200, 401],
      "token expired after its requests")
tf = os.environ["TOKEN_FILE"]
with open(tf, "w") as f:
    f.write("first-token\n")
check(c.req("GET", CMS, token="first-token")[0] == 200, "token from the file")
with open(tf, "w") as f:
    f.write("second-token\n")
check(c.req("GET", CMS, token="first-token")[0] == 401, "rotated-out token is 401")
check(c.req("GET", CMS, token="second-token")[0] == 200, "rotated-in token works")

# ---- request log and counters ----
c.admin("DELETE", "/admin/requests")
since = time.time()
for _ in range(3):
    c.req("GET", LEASES + "/lock")
c.req("GET", CMS, token="nope")
log = c.admin("GET", "/admin/requests?since=%f" % since)
check(log["counts"].get("GET " + LEASES + "/lock") == 3 and log["total"] == 4,
      "request counts", log["counts"])
check([r["code"] for r in log["requests"]] == [200, 200, 200, 401] and
      log["requests"][0]["user"] == "test-user", "request log entries", log["requests"])
log = c.admin("GET", "/admin/requests?since=%f&user=test-user" % since)
check(log["total"] == 3 and log["requests"][0]["agent"] == "feast-testclient/1",
      "request log filtered by user", log)
log = c.admin("GET", "/admin/requests?since=%f&agent=nothing" % since)
check(log["total"] == 0, "request log filtered by agent", log)

# ---- Deployment readiness delay ----
DEP = "/apis/apps/v1/namespaces/default/deployments"
dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
       "spec": {"replicas": 2, "selector": {"matchLabels": {"a": "b"}},
                "template": {"metadata": {"labels": {"a": "b"}},
                             "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
c.admin("PUT", "/admin/deployment-delay", {"seconds": -1})
c.req("POST", DEP, dep)
time.sleep(0.5)
_, d = c.req("GET", DEP + "/d")
st = d["status"]
check(st.get("observedGeneration") == 1 and st.get("updatedReplicas") == 2 and
      "availableReplicas" not in st and
      {x["type"]: x["status"] for x in st["conditions"]} == {"Available": "False",
                                                            "Progressing": "True"},
      "never-ready Deployment", st)
c.admin("PUT", "/admin/deployment-delay", {"seconds": 0.4})
c.req("PATCH", DEP + "/d", {"spec": {"replicas": 3}}, ctype="application/merge-patch+json")
seen = set()
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    _, d = c.req("GET", DEP + "/d")
    seen.add(d["status"].get("readyReplicas", 0))
    if d["status"].get("availableReplicas") == 3:
        break
    time.sleep(0.03)
st = d["status"]
check(st.get("availableReplicas") == 3 and st["observedGeneration"] == 2 and
      {x["type"]: x["reason"] for x in st["conditions"]} == {
          "Available": "MinimumReplicasAvailable", "Progressing": "NewReplicaSetAvailable"},
      "Deployment becomes available", st)
check(len(seen) >= 3, "readiness progresses replica by replica", seen)

# ---- watches: closed on command, 410 for an old resourceVersion ----
events = []


def watch():
    try:
        for ev in c.watch(LEASES + "?watch=1&timeoutSeconds=30"):
            events.append(ev)
    except (OSError, http.client.HTTPException):
        events.append("broken")


th = threading.Thread(target=watch)
th.start()
time.sleep(0.3)
t = time.monotonic()
c.admin("POST", "/admin/watches/close")
th.join(5)
check(not th.is_alive() and time.monotonic() - t < 2, "watch closed on command", events)
for i in range(60):
    c.req("POST", CMS, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c%d" % i}})
evs = list(c.watch(LEASES + "?watch=1&resourceVersion=2&timeoutSeconds=5"))
check(len(evs) == 1 and evs[0]["type"] == "ERROR" and evs[0]["object"]["code"] == 410 and
      evs[0]["object"]["reason"] == "Expired" and
      evs[0]["object"]["message"].startswith("too old resource version: 2 ("),
      "410 Expired for a compacted resourceVersion", evs)
print("apiserver faults: %d checks passed" % checks.count)

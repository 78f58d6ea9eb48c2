# apiserver_vs_real.sh -- the test API server against a real kube-apiserver: the same server-side applies (items added, removed, reordered, another manager's conflict and force) and scale writes sent to both, and what must agree compared (tests/apiserver/compare_real.py).
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cd "$TEST_TMP"
real_cluster_start
apiserver_start
trap 'apiserver_stop; real_cluster_stop' EXIT
"$PYTHON" "$SRC/tests/apiserver/compare_real.py" "$APISERVER_URL" "$APISERVER_CA" "$APISERVER_TOKEN" \
	"$CLUSTER_URL" "$CLUSTER_CA" "$CLUSTER_ADMIN_TOKEN" --json answers.json >report ||
	{ cat report >&2; fail "the test API server answered otherwise than kube-apiserver"; }
# Every step reached the real server as a write of its own (nothing skipped on either side).
"$PYTHON" - answers.json <<'PY' || fail "the sequence did not run as written"
import json, sys
d = json.load(open(sys.argv[1]))
codes = [s["answer"]["code"] for s in d["real"]]
want = [201, 200, 200, 200, 200, 409, 200, 200, 200, 200, 409, 200]
if codes != want:
    sys.exit("real server codes %s, want %s" % (codes, want))
# The metadata-only answer really was one, on both servers (compare_real.py compared them).
shape = d["real"][-1]["answer"].get("shape")
sys.exit(0 if shape and shape[0] == "PartialObjectMetadata" and shape[2] == ["apiVersion", "kind", "metadata"]
         else "the metadata-only answer was %s" % shape)
PY
cat report
echo ok

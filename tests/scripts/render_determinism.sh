# render_determinism.sh -- the same input gives the same bytes, and a store's objects
# are the same bytes whatever the order of -f and whatever else is in the run.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
cd "$TEST_TMP"
C="$SRC/testdata/render"
set -- ha-static tls-servers oidc-full cronjob-custom pod-settings feature-store-extras
fwd="" rev=""
for c; do
	fwd="$fwd -f $C/$c.yaml"
	rev="-f $C/$c.yaml $rev"
done
# shellcheck disable=SC2086
"$FEAST" render -n feast $fwd >fwd.yaml
# shellcheck disable=SC2086
"$FEAST" render -n feast $fwd >again.yaml
same_file fwd.yaml again.yaml
# shellcheck disable=SC2086
"$FEAST" render -n feast $rev >rev.yaml
cmp -s fwd.yaml rev.yaml && fail "reversed input gave the same stream: the test cannot see order"

# Group each stream's documents by store (feast.dev/name; shared objects apart) and
# compare the groups' bytes.
"$PYTHON" - fwd.yaml rev.yaml <<'PY'
import sys, yaml

def groups(path):
    text = open(path).read()
    docs = ("\n" + text).split("\n---\n")
    out = {}
    for raw in docs:
        if not raw.strip():
            continue
        d = yaml.safe_load(raw)
        labels = d.get("metadata", {}).get("labels", {})
        key = labels.get("feast.dev/name", "(shared)")
        out.setdefault(key, []).append(raw.strip("\n"))
    return out

a, b = groups(sys.argv[1]), groups(sys.argv[2])
assert sorted(a) == sorted(b), (sorted(a), sorted(b))
assert len(a) == 7, sorted(a)  # six stores and the shared ClusterRoles
for k in a:
    assert a[k] == b[k], "store %s differs between input orders" % k
PY

# A store alone renders exactly as its group inside a bigger run.
"$FEAST" render -n feast -f "$C/tls-servers.yaml" >alone.yaml
"$PYTHON" - alone.yaml fwd.yaml <<'PY'
import sys
alone = open(sys.argv[1]).read().split("\n---\n")
run = open(sys.argv[2]).read()
for doc in alone[1:]:  # [0] is the shared ClusterRole
    assert doc.strip("\n") in run, "store rendered alone differs inside a run"
PY
# shellcheck disable=SC2086
"$FEAST" render -n feast -o json $fwd >a.json
# shellcheck disable=SC2086
"$FEAST" render -n feast -o json $fwd >b.json
same_file a.json b.json
echo "deterministic per store"

# validate_inputs.sh -- the input as a whole, as kubectl takes it: -n checked
# and given to every namespaced object, YAML tags meaning the same in YAML and JSON
# output, near misses warned about (failing with --strict), apply of nothing refused.
# Expected messages are golden/inputs/NAME.err; GOLDEN_UPDATE=1 rewrites them.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"

G="$SRC/golden/inputs"
cd "$SRC/testdata/inputs"

# golden_err NAME WANT_EXIT CMD... : run CMD, check its exit code and stderr.
golden_err() {
	name=$1 want=$2
	shift 2
	set +e
	"$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err"
	rc=$?
	set -e
	[ "$rc" = "$want" ] || { cat "$TEST_TMP/$name.err" >&2; fail "$name: exit $rc, want $want"; }
	golden_file "$G/$name.err" "$TEST_TMP/$name.err" || fail "$name: stderr differs"
}

# -n must be a DNS-1123 label: a usage error before anything is read.
for cmd in validate render apply; do
	golden_err "namespace-invalid-$cmd" 2 "$FEAST" $cmd -n Team_A -f namespace-default.yaml
	[ -s "$TEST_TMP/namespace-invalid-$cmd.out" ] && fail "$cmd -n Team_A wrote to stdout"
done

# -n reaches the Secret beside the store, not the ClusterRole.
"$FEAST" render -n feast -f namespace-default.yaml >"$TEST_TMP/ns.yaml"
"$PYTHON" - "$TEST_TMP/ns.yaml" <<'PY' || fail "-n was not given to every namespaced object"
import sys, yaml
docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(open(sys.argv[1])) if d}
assert docs[("Secret", "feast-data-stores")]["metadata"]["namespace"] == "feast"
assert "namespace" not in docs[("ClusterRole", "feast-readers")]["metadata"]
assert docs[("Deployment", "feast-driver")]["metadata"]["namespace"] == "feast"
PY

# Tags in passed-through documents: one meaning in both formats, kubectl's.
golden_err tags-passthrough 0 "$FEAST" render -f tags-passthrough.yaml -o yaml
cp "$TEST_TMP/tags-passthrough.out" "$TEST_TMP/tags.yaml"
"$FEAST" render -f tags-passthrough.yaml -o json >"$TEST_TMP/tags.json" 2>/dev/null
"$PYTHON" - "$TEST_TMP/tags.yaml" "$TEST_TMP/tags.json" <<'PY' || fail "YAML and JSON output differ"
import json, sys, yaml
y = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
j = json.load(open(sys.argv[2]))["items"]
assert y == j, "the formats disagree"
cm = [d for d in y if d["metadata"]["name"] == "tagged"][0]
assert cm["data"] == {"project": "driver", "mode": "fast", "plain": "as written"}, cm["data"]
PY

# Near misses: a warning, exit 0; --strict: an error, nothing on stdout.
golden_err near-miss 0 "$FEAST" render -f near-miss.yaml
golden_err near-miss-strict 1 "$FEAST" render --strict -f near-miss.yaml
[ -s "$TEST_TMP/near-miss-strict.out" ] && fail "render --strict wrote output"

# One file given twice: every object of it twice, refused by both commands alike.
golden_err file-twice-render 1 "$FEAST" render -f near-miss.yaml -f near-miss.yaml
golden_err file-twice-validate 1 "$FEAST" validate -f near-miss.yaml -f near-miss.yaml
[ -s "$TEST_TMP/file-twice-render.out" ] && fail "render of a file given twice wrote output"

# Nothing to apply: kubectl's error, before any cluster is asked.
golden_err apply-nothing 1 env KUBECONFIG=/nonexistent "$FEAST" apply -f /dev/null
golden_err validate-nothing 1 "$FEAST" validate -f /dev/null
echo "inputs as a whole hold"

# cli_dry_run.sh -- apply, scale -f and scale NAME take --dry-run as kubectl does: the value
# after "=", a bare --dry-run refused with kubectl's message (apply once refused it while
# scale took it as client), `--dry-run client` too (kubectl leaves "client" as an argument).
# Each command's answers to testdata/cli/dry-run.txt are golden/cli/dry-run.txt, before any
# cluster is contacted.  GOLDEN_UPDATE=1 rewrites the golden file.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"
cd "$TEST_TMP"
GOLDEN=$SRC/golden/cli/dry-run.txt
KUBECONFIG=$TEST_TMP/no-kubeconfig
export KUBECONFIG
cp "$SRC/examples/featurestore-ha.yaml" store.yaml
cp store.yaml store.orig

: >answers
while read -r args; do
	case "$args" in '' | '#'*) continue ;; esac
	for cmd in "apply -f store.yaml" "scale -f store.yaml --replicas=2" "scale ha --replicas=2"; do
		set +e
		# shellcheck disable=SC2086
		"$FEAST" $cmd $args >out 2>err
		code=$?
		set -e
		echo "$cmd $args -> $code $(tr '\n' ' ' <err)" >>answers
	done
done <"$SRC/testdata/cli/dry-run.txt"
cmp -s store.yaml store.orig || fail "a refused dry run wrote the file"

golden_file "$GOLDEN" answers || fail "the dry run answers differ"
echo "dry run flags: as kubectl takes them"

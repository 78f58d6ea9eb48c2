# validate_bad.sh -- every testdata/bad/*.yaml (with the flags on its `# args:`
# line, if any) is refused (exit 1, nothing on
# stdout) with exactly the stderr in golden/bad/<name>.err.  The over-size
# input is generated here rather than committed.  With GOLDEN_UPDATE=1
# (make golden-update) the golden files are rewritten instead.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

golden="$SRC/golden/bad"
update=${GOLDEN_UPDATE:-}

# check NAME CMD... : run a validate that must fail; compare its stderr.
check() {
	name=$1
	shift
	set +e
	"$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err"
	rc=$?
	set -e
	[ "$rc" = 1 ] || { cat "$TEST_TMP/$name.err" >&2; fail "$name: exit $rc, want 1"; }
	[ -s "$TEST_TMP/$name.out" ] && fail "$name: wrote to stdout"
	grep -q '^error: ' "$TEST_TMP/$name.err" || fail "$name: no error line"
	if [ -n "$update" ]; then
		cp "$TEST_TMP/$name.err" "$golden/$name.err"
	else
		[ -f "$golden/$name.err" ] || fail "missing golden/bad/$name.err (make golden-update)"
		same_file "$golden/$name.err" "$TEST_TMP/$name.err"
	fi
}

n=0
cd "$SRC"
for f in testdata/bad/*.yaml; do
	# A first line `# args: --strict -n feast` gives the case its flags.
	args=$(sed -n '1s/^# args: *//p' "$f")
	# shellcheck disable=SC2086
	check "$(basename "$f" .yaml)" "$FEAST" validate $args -f "$f"
	n=$((n + 1))
done

# Over the 8 MiB document limit: a ConfigMap with one 9 MiB value.
cd "$TEST_TMP"
{
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: '
	head -c 9437184 /dev/zero | tr '\0' a
	echo
} >oversize.yaml
check oversize "$FEAST" validate -f oversize.yaml
n=$((n + 1))

# No golden file without its input.
for g in "$golden"/*.err; do
	name=$(basename "$g" .err)
	[ "$name" = oversize ] || [ -f "$SRC/testdata/bad/$name.yaml" ] || fail "stale golden file $g"
done
echo "$n bad inputs refused as expected"

# init_spec.sh -- `kubectl feast init` for every combination of its flags: what it writes
# validates, lints clean (--strict, both targets) and renders; a combination that could
# not is refused (exit 2, nothing on stdout) with the reason.  Two outputs are golden
# (golden/init/, GOLDEN_UPDATE=1 rewrites them).
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"

golden="$SRC/golden/init"
ok=0
refused=0
for online in postgres redis sqlite; do
	for registry in sql s3 gcs file; do
		for count in "" "--replicas 1" "--replicas 3" "--autoscale 2-6" "--autoscale 1-4" "--keda" \
			"--keda --autoscale 3-8" "--replicas 2 --autoscale 2-4"; do
			for pdb in "" "--pdb max-unavailable=1" "--pdb min-available=1" "--pdb max-unavailable=0"; do
				args="--online $online --registry $registry $count $pdb"
				set +e
				# shellcheck disable=SC2086 # word lists
				"$FEAST" init store-$ok -n feast $args >"$TEST_TMP/spec.yaml" 2>"$TEST_TMP/err"
				rc=$?
				set -e
				if [ "$rc" = 2 ]; then
					[ -s "$TEST_TMP/spec.yaml" ] && fail "init $args: refused but wrote a spec"
					grep -q '^error: ' "$TEST_TMP/err" || fail "init $args: refused without a reason"
					refused=$((refused + 1))
					continue
				fi
				[ "$rc" = 0 ] || { cat "$TEST_TMP/err" >&2; fail "init $args: exit $rc"; }
				"$FEAST" validate -f "$TEST_TMP/spec.yaml" || fail "init $args: does not validate"
				for target in standalone operator; do
					"$FEAST" lint --strict --target $target -f "$TEST_TMP/spec.yaml" >"$TEST_TMP/lint" ||
						{ cat "$TEST_TMP/lint" >&2; fail "init $args: lint findings ($target)"; }
				done
				"$FEAST" render -f "$TEST_TMP/spec.yaml" >"$TEST_TMP/out.yaml" ||
					fail "init $args: does not render"
				"$FEAST" render -f "$TEST_TMP/spec.yaml" | "$FEAST" lint --strict -f - >/dev/null ||
					fail "init $args: its render has lint findings"
				ok=$((ok + 1))
			done
		done
	done
done
[ "$ok" -ge 60 ] || fail "only $ok combinations written"
# What must be refused is refused: scaling a file store, a PDB on one replica or letting
# no pod go, a floor of 1, --replicas with --autoscale.
for bad in "--online sqlite --replicas 3" "--registry file --autoscale 2-4" "--pdb max-unavailable=1" \
	"--replicas 3 --pdb max-unavailable=0" "--replicas 3 --pdb min-available=3" "--autoscale 1-5" \
	"--autoscale 5-2" "--replicas 2 --autoscale 2-4" "--keda --replicas 2" "--replicas 0" "--autoscale x"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$FEAST" init s $bad 2>/dev/null >"$TEST_TMP/out"
	[ -s "$TEST_TMP/out" ] && fail "init $bad: wrote a spec"
done
expect_exit 2 "$FEAST" init Bad_Name 2>/dev/null
expect_exit 2 "$FEAST" init 2>/dev/null

# The examples of --help, as golden files.
check() {
	name=$1
	shift
	"$FEAST" init "$@" >"$TEST_TMP/$name.yaml"
	golden_file "$golden/$name.yaml" "$TEST_TMP/$name.yaml" || fail "init $*: differs from golden/init/$name.yaml"
}
check default driver-stats
check keda driver-stats -n feast --keda --autoscale 2-10 --online redis --registry s3 --pdb max-unavailable=1
echo "$ok combinations written and clean, $refused refused"

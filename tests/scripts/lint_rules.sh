# lint_rules.sh -- every lint rule fires on testdata/lint/RULE.yaml and stays quiet on
# testdata/lint/RULE-clean.yaml; the text output of every testdata/lint/*.yaml (with the
# flags of its `# args:` line) is exactly golden/lint/NAME.txt.  Findings exit 0, and 1
# with --strict.  The operator samples (testdata/operator) and examples/ lint clean, rendered or
# not.  With GOLDEN_UPDATE=1 (make golden-update) the golden files are rewritten.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"

golden="$SRC/golden/lint"
# A clean case's golden file is empty, and kept: it shows the case was looked at.
GOLDEN_KEEP_EMPTY=1
cd "$SRC"

# The rule ids, from the table itself.
rules=$(sed -n 's/^\t{ "\([a-z-]*\)", LINT_[A-Z]*,.*/\1/p' rules/lint_rules.c)
[ -n "$rules" ] || fail "no rule rows found in rules/lint_rules.c"
for r in $rules; do
	[ -f "testdata/lint/$r.yaml" ] || fail "rule $r has no testdata/lint/$r.yaml that fires"
	[ -f "testdata/lint/$r-clean.yaml" ] || fail "rule $r has no testdata/lint/$r-clean.yaml"
done

n=0
for f in testdata/lint/*.yaml; do
	name=$(basename "$f" .yaml)
	args=$(sed -n 's/^# args: //p' "$f")
	# shellcheck disable=SC2086 # args is a word list
	"$FEAST" lint -f "$f" $args >"$TEST_TMP/$name.txt" 2>"$TEST_TMP/$name.err" || fail "$name: exit $?"
	[ -s "$TEST_TMP/$name.err" ] && { cat "$TEST_TMP/$name.err" >&2; fail "$name: wrote to stderr"; }
	case "$name" in
	*-clean)
		[ -s "$TEST_TMP/$name.txt" ] && { cat "$TEST_TMP/$name.txt" >&2; fail "$name: findings on a clean case"; }
		# shellcheck disable=SC2086
		expect_exit 0 "$FEAST" lint --strict -f "$f" $args ;;
	disable-*) ;;
	*)
		grep -q "\[$name\]\$" "$TEST_TMP/$name.txt" || fail "$name: rule $name did not fire"
		other=$(sed -n 's/.*\[\([a-z-]*\)\]$/\1/p' "$TEST_TMP/$name.txt" | grep -v "^$name\$" || true)
		[ -z "$other" ] || fail "$name: other rules fired too: $other"
		# shellcheck disable=SC2086
		expect_exit 1 "$FEAST" lint --strict -f "$f" $args >/dev/null ;;
	esac
	golden_file "$golden/$name.txt" "$TEST_TMP/$name.txt" || fail "$name: lint's findings differ"
	n=$((n + 1))
done
for g in "$golden"/*.txt; do
	[ -f "testdata/lint/$(basename "$g" .txt).yaml" ] || fail "stale golden file $g"
done

# A spec validate refuses: validate's errors on stderr, no findings, exit 1.
expect_exit 1 "$FEAST" lint -f testdata/bad/cel-scaling-exclusive.yaml >"$TEST_TMP/bad.out" 2>"$TEST_TMP/bad.err"
[ -s "$TEST_TMP/bad.out" ] && fail "lint of an invalid spec wrote to stdout"
grep -q '^error: testdata/bad/cel-scaling-exclusive.yaml:' "$TEST_TMP/bad.err" || fail "no validate error for an invalid spec"

# Usage errors exit 2.
expect_exit 2 "$FEAST" lint -f examples/featurestore-ha.yaml --zones 0 2>/dev/null
expect_exit 2 "$FEAST" lint -f examples/featurestore-ha.yaml -o yaml 2>/dev/null

# Every finding on the samples and examples must be a true one: today there is none,
# on the specs and on what render makes of them (sidecar, grace period, images).
for f in "$SRC"/testdata/operator/samples/v1*.yaml examples/*.yaml; do
	"$FEAST" lint --strict --zones 3 --nodes 3 -f "$f" >"$TEST_TMP/sample.txt" 2>/dev/null ||
		{ cat "$TEST_TMP/sample.txt" >&2; fail "lint findings on $f"; }
	"$FEAST" render -f "$f" --sidecar always 2>/dev/null | "$FEAST" lint --strict -f - >"$TEST_TMP/sample.txt" ||
		{ cat "$TEST_TMP/sample.txt" >&2; fail "lint findings on the render of $f"; }
done
echo "$n lint cases as expected"

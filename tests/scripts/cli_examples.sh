# cli_examples.sh -- every command's --help (the plugin's, feast-sidecar's, feast-lock's) ends with an Examples section whose
# commands name that command and only flags its option table knows, and the man page
# carries the same examples; unknown commands and flags get cobra's "Did you mean
# this?" (a usage error), and nothing is suggested when nothing is close.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

cmds=$("$FEAST" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
[ -n "$cmds" ] || fail "no commands in kubectl feast --help"
"$FEAST" __man >"$TEST_TMP/man"
for c in $cmds; do
	"$FEAST" "$c" --help >"$TEST_TMP/help"
	sed -n '/^Examples:$/,$p' "$TEST_TMP/help" | tail -n +2 >"$TEST_TMP/ex"
	grep -q "^  kubectl feast $c" "$TEST_TMP/ex" || fail "$c --help has no Examples section with a \"kubectl feast $c\" line"
	# Every --flag an example uses is one --help lists.
	for flag in $(grep '^  kubectl feast' "$TEST_TMP/ex" | grep -o -- ' --[a-z-]*' | sort -u); do
		grep -q -- "^ *\(-., \)\?$flag\b" "$TEST_TMP/help" || fail "$c example uses $flag, which $c --help does not list"
	done
	first=$(grep -m1 '^  kubectl feast' "$TEST_TMP/ex" | sed 's/^  //; s/-/\\-/g')
	grep -qF -- "$first" "$TEST_TMP/man" || fail "the man page lacks $c's example: $first"
done

# feast-sidecar and feast-lock too.
for prog in feast-sidecar feast-lock; do
	for c in $("$FEAST_BIN_DIR/$prog" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
		"$FEAST_BIN_DIR/$prog" "$c" --help | sed -n '/^Examples:$/,/^$/p' | grep -q "^  $prog $c" ||
			fail "$prog $c --help has no Examples section"
	done
done

# did_you_mean WANT CMD...: a usage error (exit 2; feast-sidecar's is 64), and WANT among
# the suggestions.
did_you_mean() {
	suggest=$1
	shift
	code=2
	case "$1" in */feast-sidecar) code=64 ;; esac
	expect_exit $code "$@" 2>"$TEST_TMP/err"
	grep -q '^Did you mean this?$' "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; fail "no suggestion for: $*"; }
	grep -q "^	$suggest\$" "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; fail "$suggest not suggested for: $*"; }
}
did_you_mean render "$FEAST" rendr -f x.yaml
did_you_mean validate "$FEAST" valdiate
did_you_mean lint "$FEAST" lnit
did_you_mean validate "$FEAST" help valid
did_you_mean --strict "$FEAST" lint -f x.yaml --stirct
did_you_mean --replicas "$FEAST" scale -f x.yaml --replica=3
did_you_mean --namespace "$FEAST_BIN_DIR/feast-sidecar" run --namespac=feast
expect_exit 2 "$FEAST" frobnicate 2>"$TEST_TMP/err"
grep -q 'Did you mean' "$TEST_TMP/err" && fail "a suggestion for a word close to nothing"
expect_exit 2 "$FEAST" render --bogus 2>"$TEST_TMP/err"
grep -q 'Did you mean' "$TEST_TMP/err" && fail "a suggestion for --bogus"
echo "every command has examples; near misses get suggestions"

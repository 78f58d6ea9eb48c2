# cli_render_flags.sh -- render, apply and diff take the render flags from one table with one
# setter: every value in testdata/cli/render-flags.txt gets the same answer from all three
# (exit code and message, before any cluster is contacted), and the answers are
# golden/cli/render-flags.txt.  (render once took `--kube-version '1. 29'` that diff refused.)
# GOLDEN_UPDATE=1 rewrites the golden file.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"
cd "$TEST_TMP"
GOLDEN=$SRC/golden/cli/render-flags.txt
SPEC=$SRC/examples/featurestore-ha.yaml
# No cluster: a flag that parses gets as far as the connection (exit 3), never further.
KUBECONFIG=$TEST_TMP/no-kubeconfig
export KUBECONFIG

: >answers
while IFS='|' read -r flag value; do
	case "$flag" in '' | '#'*) continue ;; esac
	first=""
	for cmd in render apply diff; do
		set +e
		"$FEAST" "$cmd" -f "$SPEC" "$flag=$value" >out 2>err
		code=$?
		set -e
		# render's success and the others' missing cluster both mean: the value was taken.
		case "$cmd:$code" in render:0 | apply:3 | diff:3) code=taken; : >err ;; esac
		answer="$code $(sed "s/kubectl feast $cmd /kubectl feast CMD /" err | tr '\n' ' ')"
		if [ -z "$first" ]; then
			first=$answer
			echo "$flag=$value -> $answer" >>answers
		elif [ "$answer" != "$first" ]; then
			fail "$cmd $flag=$value: '$answer', but render: '$first'"
		fi
	done
done <"$SRC/testdata/cli/render-flags.txt"

golden_file "$GOLDEN" answers || fail "the render flag answers differ"
echo "$(wc -l <answers) render flag values, one answer each"

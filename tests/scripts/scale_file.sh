# scale_file.sh -- `scale -f FILE --replicas=N` edits only spec.replicas in place, byte for
# byte against golden/scale/; refusals and usage errors leave the file untouched (same
# bytes, same inode and mtime); an interrupted write leaves the old file.
# GOLDEN_UPDATE=1 (make golden-update) rewrites the golden files instead of comparing.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
cd "$TEST_TMP"

GOLDEN="$SRC/golden/scale"
DATA="$SRC/testdata/scale"
cases=0
used=""

# only_replicas.py OLD NEW: the bytes between the common head and tail are a new value
# for replicas, or a whole new `replicas: N` entry (block line or flow entry).
cat >only_replicas.py <<'PY'
import re, sys
old, new = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
head = 0
while head < min(len(old), len(new)) and old[head] == new[head]:
    head += 1
tail = 0
while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
    tail += 1
was, now = old[head:len(old) - tail], new[head:len(new) - tail]
value = re.fullmatch(rb"-?[0-9]*", was) and re.fullmatch(rb"-?[0-9]+", now) and re.search(rb"replicas: *-?[0-9]*$", new[:head + len(now)])
entry = was == b"" and re.fullmatch(rb"(\r?\n)? *replicas: [0-9]+(\r?\n)?|, replicas: [0-9]+|replicas: [0-9]+(\r?\n) *", now)
sys.exit(0 if value or entry else 1)
PY

# stamp FILE: what changes when a file is rewritten (inode, size, mtime in ns).
stamp() {
	stat -c '%i %s %Y %y' "$1"
}

# golden_cmp NAME ACTUAL: compare with golden/scale/NAME; an absent golden file means empty.
golden_cmp() {
	used="$used $1"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		if [ -s "$2" ]; then
			cmp -s "$2" "$GOLDEN/$1" 2>/dev/null || { cp "$2" "$GOLDEN/$1"; echo "updated $1"; }
		else
			rm -f "$GOLDEN/$1"
		fi
	elif [ -f "$GOLDEN/$1" ]; then
		same_file "$GOLDEN/$1" "$2"
	elif [ -s "$2" ]; then
		cat "$2" >&2
		fail "$1: expected no output (no golden/scale/$1)"
	fi
}

# scale_case NAME INPUT EXIT ARGS...: copy testdata/scale/INPUT here, run
# `scale -f INPUT ARGS`, check the exit code, stdout (NAME.out), stderr (NAME.err)
# and the file: golden/scale/NAME.yaml when it changed, else untouched.
scale_case() {
	name=$1 input=$2 want=$3
	shift 3
	cases=$((cases + 1))
	rm -rf "case.$name" && mkdir "case.$name" && cp "$DATA/$input" "case.$name/$input"
	(
		cd "case.$name"
		before=$(stamp "$input")
		expect_exit "$want" "$FEAST" scale -f "$input" "$@" >../"$name.out" 2>../"$name.err"
		if cmp -s "$DATA/$input" "$input"; then
			[ "$(stamp "$input")" = "$before" ] || fail "$name: $input was rewritten with the same bytes"
			echo same >../"$name.state"
		else
			[ "$want" = 0 ] || fail "$name: a run that exits $want changed $input"
			# Only the replicas value, or one new replicas entry, differs.
			"$PYTHON" "$TEST_TMP/only_replicas.py" "$DATA/$input" "$input" || fail "$name: more than spec.replicas changed"
			cp "$input" ../"$name.result"
			echo changed >../"$name.state"
		fi
		[ -z "$(find . -name '.*.??????')" ] || fail "$name: a temporary file was left behind"
	) || exit 1
	golden_cmp "$name.out" "$name.out"
	golden_cmp "$name.err" "$name.err"
	if [ "$(cat "$name.state")" = changed ]; then
		golden_cmp "$name.yaml" "$name.result"
	fi
}

# Edits: comments, several documents, quoting, CRLF, flow style, a missing final newline.
scale_case comments comments.yaml 0 --replicas=3
scale_case replace replace.yaml 0 --replicas 4
scale_case unchanged replace.yaml 0 --replicas=2
scale_case crlf crlf.yaml 0 --replicas=2
scale_case flow flow.yaml 0 --replicas=5
scale_case no-newline no-newline.yaml 0 --replicas=2
scale_case pick-by-name multi.yaml 0 --replicas=3 --name beta
scale_case pick-by-namespace replace.yaml 0 --replicas=3 -n feast
scale_case to-one replace.yaml 0 --replicas=1
scale_case dry-run comments.yaml 0 --replicas=3 --dry-run=client
scale_case dry-run-client replace.yaml 0 --replicas=6 --dry-run=client

# Refusals: exit 1, the rule's message, the file untouched.
scale_case refuse-zero comments.yaml 1 --replicas=0
scale_case refuse-negative replace.yaml 1 --replicas=-2
scale_case refuse-file-persistence file-persistence.yaml 1 --replicas=2
scale_case refuse-multi-file-store multi.yaml 1 --replicas=2 --name alpha
scale_case refuse-hpa hpa.yaml 1 --replicas=3
scale_case refuse-hpa-one hpa.yaml 1 --replicas=1
scale_case refuse-keda keda.yaml 1 --replicas=2
scale_case refuse-dry-run file-persistence.yaml 1 --replicas=2 --dry-run=client
scale_case refuse-v1alpha1 v1alpha1.yaml 1 --replicas=1

# Usage errors: exit 2, the file untouched.
scale_case several-stores multi.yaml 2 --replicas=2
scale_case no-such-name multi.yaml 2 --replicas=2 --name gamma
scale_case no-such-namespace replace.yaml 2 --replicas=2 -n other
scale_case connection-flag replace.yaml 2 --replicas=2 --context prod
scale_case dry-run-server replace.yaml 2 --replicas=2 --dry-run=server
scale_case not-a-number replace.yaml 2 --replicas=three
scale_case name-and-file replace.yaml 2 replace --replicas=3

# An invalid file is not edited: the errors are the validator's.
printf 'apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: bad\nspec:\n  feastProject: bad\n  replicas: two\n' >bad.yaml
cp bad.yaml bad.orig
expect_exit 1 "$FEAST" scale -f bad.yaml --replicas=2 2>err
grep -q '^error: bad.yaml:7:13: spec.replicas' err || { cat err; fail "invalid file message"; }
cmp -s bad.yaml bad.orig || fail "an invalid file was changed"

# Other usage errors.
expect_exit 2 "$FEAST" scale -f replace.yaml 2>err
grep -q 'required flag "replicas" not set' err || fail "missing --replicas message: $(cat err)"
expect_exit 2 "$FEAST" scale --replicas=2 2>err
grep -q 'must specify -f FILE' err || fail "no -f and no NAME: $(cat err)"
expect_exit 2 "$FEAST" scale -f - --replicas=2 </dev/null 2>err
grep -q 'cannot be edited in place' err || fail "-f -: $(cat err)"
mkdir -p adir
expect_exit 2 "$FEAST" scale -f adir --replicas=2 2>err
grep -q 'not a regular file' err || fail "-f DIR: $(cat err)"
expect_exit 2 "$FEAST" scale -f a.yaml -f b.yaml --replicas=2 2>err
grep -q 'takes one file' err || fail "two -f: $(cat err)"
expect_exit 1 "$FEAST" scale -f missing.yaml --replicas=2 2>err
grep -q 'missing.yaml' err || fail "missing file: $(cat err)"

# --help says what -f and NAME change.
"$FEAST" scale --help >help
grep -q 'Unlike kubectl scale, whose -f names the live object' help || fail "help: -f versus kubectl's -f"
grep -q 'scale NAME changes the live cluster' help || fail "help: NAME mode"

# Atomic writes: mode and symlinks are kept; an interrupted or failed write leaves the old file.
mkdir -p atomic && cp "$DATA/replace.yaml" atomic/real.yaml && chmod 640 atomic/real.yaml
ln -s real.yaml atomic/link.yaml
"$FEAST" scale -f atomic/link.yaml --replicas=3 >/dev/null || fail "scale through a symlink"
[ -L atomic/link.yaml ] || fail "the symlink was replaced by a file"
grep -q '^  replicas: 3 ' atomic/real.yaml || fail "the symlink's target was not edited"
[ "$(stat -c %a atomic/real.yaml)" = 640 ] || fail "the file mode changed"
cp "$DATA/replace.yaml" atomic/cut.yaml
before=$(stamp atomic/cut.yaml)
# The write of the temporary file is cut off by the file size limit (SIGXFSZ kills the run).
set +e
(ulimit -f 0; exec "$FEAST" scale -f atomic/cut.yaml --replicas=5) >/dev/null 2>&1
got=$?
set -e
[ "$got" != 0 ] || fail "a run killed while writing exited 0"
cmp -s "$DATA/replace.yaml" atomic/cut.yaml || fail "an interrupted write changed the file"
[ "$(stamp atomic/cut.yaml)" = "$before" ] || fail "an interrupted write touched the file"
rm -f atomic/.cut.yaml.*
# The same with SIGXFSZ ignored: the write fails, the run says so and cleans up.  (The
# limit holds for every file, so stdout and stderr go through a pipe.)
set +e
out=$( (trap '' XFSZ; ulimit -f 0; exec "$FEAST" scale -f atomic/cut.yaml --replicas=5) 2>&1)
got=$?
set -e
[ "$got" = 1 ] || fail "a failed write should exit 1, got $got"
case "$out" in
"error: atomic/cut.yaml: cannot write: "*"atomic/cut.yaml was not changed") ;;
*) fail "failed write: stdout+stderr were: $out" ;;
esac
cmp -s "$DATA/replace.yaml" atomic/cut.yaml || fail "a failed write changed the file"
[ "$(stamp atomic/cut.yaml)" = "$before" ] || fail "a failed write touched the file"
[ -z "$(find atomic -name '.cut.yaml.*')" ] || fail "a failed write left its temporary file"

# Every edited file is still valid.
for f in "$GOLDEN"/*.yaml; do
	"$FEAST" validate -f "$f" || fail "$(basename "$f") does not validate"
done

[ -n "${GOLDEN_UPDATE:-}" ] && exit 0
# No stale golden file.
for f in "$GOLDEN"/*; do
	case " $used " in *" $(basename "$f") "*) ;; *) fail "golden/scale/$(basename "$f") belongs to no case" ;; esac
done
echo "$cases scale -f cases, files byte for byte"

# scale_file.sh -- `scale -f FILE --replicas=N` edits only spec.replicas in place, byte for
# byte against golden/scale/ (cases: testdata/scale/*.case, run by tests/golden.sh);
# refusals and usage errors leave the file untouched (same bytes, same inode and mtime);
# an interrupted write leaves the old file.
# GOLDEN_UPDATE=1 (make golden-update) rewrites the golden files instead of comparing.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"
cd "$TEST_TMP"

GOLDEN="$SRC/golden/scale"
DATA="$SRC/testdata/scale"

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

# golden_check: an edit changes only the replicas value, or adds one replicas entry.
golden_check() {
	[ -z "$GOLDEN_EDITED" ] || "$PYTHON" "$TEST_TMP/only_replicas.py" "$GOLDEN_INPUT" "$GOLDEN_EDITED" ||
		{ echo "FAIL: $GOLDEN_NAME: more than spec.replicas changed" >&2; return 1; }
}
# Each testdata/scale/NAME.case runs `scale -f INPUT ARGS` on a copy of its input: edits
# (comments, several documents, quoting, CRLF, flow style, a missing final newline),
# refusals and usage errors (the file untouched: same bytes, inode and mtime).
golden_suite scale --cmd scale --copy
golden_cases "$DATA"/*.case
golden_end
unset -f golden_check

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
before=$(golden_stamp atomic/cut.yaml)
# The write of the temporary file is cut off by the file size limit (SIGXFSZ kills the run).
set +e
(ulimit -f 0; exec "$FEAST" scale -f atomic/cut.yaml --replicas=5) >/dev/null 2>&1
got=$?
set -e
[ "$got" != 0 ] || fail "a run killed while writing exited 0"
cmp -s "$DATA/replace.yaml" atomic/cut.yaml || fail "an interrupted write changed the file"
[ "$(golden_stamp atomic/cut.yaml)" = "$before" ] || fail "an interrupted write touched the file"
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
[ "$(golden_stamp atomic/cut.yaml)" = "$before" ] || fail "a failed write touched the file"
[ -z "$(find atomic -name '.cut.yaml.*')" ] || fail "a failed write left its temporary file"

# Every edited file is still valid.
for f in "$GOLDEN"/*.yaml; do
	"$FEAST" validate -f "$f" || fail "$(basename "$f") does not validate"
done

echo "$GOLDEN_CASES scale -f cases, files byte for byte"

# scale_file_safety.sh -- `scale -f` replaces a file the way its owner would expect:
# the owner and group are kept (when run as root, which may give files away); a
# read-only file, or one with other hard links (they would keep the old content), is
# refused with exit 1 and left untouched unless --force.  Messages byte for byte
# against golden/scale-safety/; GOLDEN_UPDATE=1 (make golden-update) rewrites them.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"
# An empty golden file stands for "nothing printed", and is kept.
GOLDEN_KEEP_EMPTY=1
cd "$TEST_TMP"

golden_suite scale-safety
INPUT="$SRC/testdata/scale/replace.yaml"

stamp() {
	stat -c '%i %s %Y %y %a %u %g' "$1"
}

# run_case NAME EXIT ARGS...: scale with ARGS; exit EXIT, stderr as golden NAME.err.
run_case() {
	name=$1 want=$2
	shift 2
	expect_exit "$want" "$FEAST" scale "$@" >"$name.out" 2>"$name.err"
	golden_named "$name.err" "$name.err"
}

# Owner and group survive the rename (they used to become the caller's).
cp "$INPUT" owned.yaml
if [ "$(id -u)" = 0 ]; then
	chown 1234:5678 owned.yaml
	run_case owner 0 -f owned.yaml --replicas=3
	[ "$(stat -c %u:%g owned.yaml)" = 1234:5678 ] || fail "owner: now $(stat -c %u:%g owned.yaml)"
	grep -q '^  replicas: 3 ' owned.yaml || fail "owner: not edited"
else
	echo "not root: the owner case is left out" >&2
	golden_skipped owner.err
fi

# A read-only file is refused and untouched ...
cp "$INPUT" ro.yaml && chmod 444 ro.yaml
before=$(stamp ro.yaml)
run_case read-only 1 -f ro.yaml --replicas=3
[ "$(stamp ro.yaml)" = "$before" ] || fail "read-only: the file was touched"
cmp -s "$INPUT" ro.yaml || fail "read-only: the file changed"
# ... but --dry-run shows the change, an unchanged value needs no write, and --force
# replaces it, keeping the mode.
run_case read-only-dry-run 0 -f ro.yaml --replicas=3 --dry-run=client
run_case read-only-unchanged 0 -f ro.yaml --replicas=2
run_case read-only-force 0 -f ro.yaml --replicas=3 --force
grep -q '^  replicas: 3 ' ro.yaml || fail "read-only --force: not edited"
[ "$(stat -c %a ro.yaml)" = 444 ] || fail "read-only --force: mode now $(stat -c %a ro.yaml)"

# A file with another hard link: the rename would leave the other name with the old
# content, so it is refused; --force replaces this name only, with a warning.
cp "$INPUT" linked.yaml && ln linked.yaml other-name.yaml
before=$(stamp linked.yaml)
run_case hard-link 1 -f linked.yaml --replicas=3
[ "$(stamp linked.yaml)" = "$before" ] || fail "hard-link: the file was touched"
run_case hard-link-force 0 -f linked.yaml --replicas=3 --force
grep -q '^  replicas: 3 ' linked.yaml || fail "hard-link --force: not edited"
cmp -s "$INPUT" other-name.yaml || fail "hard-link --force: the other name changed"

# --force belongs to -f.
run_case force-live 2 replace --replicas=3 --force

golden_end
echo "scale -f keeps owners and refuses read-only and hard-linked files"

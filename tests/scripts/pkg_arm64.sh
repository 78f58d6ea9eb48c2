# pkg_arm64.sh -- `make dist PLATFORM=linux/arm64`: the arm64 archive, cross-built, runs under
# qemu-user as it would on an arm64 node: `version`, `render` and `validate` give byte for byte
# what this machine's build gives (stdout, stderr, exit code) on every example and sample, and
# the arm64 feast-sidecar (Debian's libcurl, and the image's with its own linked in) takes
# and releases a lock on the test API server's Lease.
# builds: cross-arm64 image-bin-arm64 -- the release trees under build/cross, shared by every script and run
# lock: build-cross -- its make writes build/cross when a tree is out of date
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"

version=$(cat "$SRC/VERSION")
host=$(uname -m)
run=""
if [ "$host" != aarch64 ]; then
	command -v qemu-aarch64-static >/dev/null 2>&1 || fail "qemu-aarch64-static is missing (scripts/deps.sh installs it)"
	# Without binfmt_misc (a container), qemu runs the binary itself; the arm64 loader and
	# libraries are the multiarch ones under /lib/aarch64-linux-gnu.
	run=qemu-aarch64-static
fi
make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" DIST="$TEST_TMP/dist" PLATFORM=linux/arm64 dist \
	>/dev/null || fail "make dist PLATFORM=linux/arm64 failed"
archive="$TEST_TMP/dist/kubectl-feast_${version}_linux_arm64.tar.gz"
[ -f "$archive" ] || fail "make dist PLATFORM=linux/arm64 did not write $archive"
mkdir -p "$TEST_TMP/arm64"
tar -xzf "$archive" -C "$TEST_TMP/arm64"
arm="$TEST_TMP/arm64/kubectl-feast"
elf_machine() { od -An -tx1 -j18 -N2 "$1" | tr -d ' '; }
# e_machine 0xb7 (AArch64), little-endian: not this machine's binary by mistake.
[ "$(elf_machine "$arm")" = b700 ] || fail "the archive's kubectl-feast is not an AArch64 ELF"

out=$($run "$arm" version) || fail "the arm64 kubectl-feast does not start"
[ "$out" = "kubectl-feast $version" ] || fail "arm64 version printed '$out'"

# same_run NAME ARGS...: the arm64 and the native binary give the same output and exit code.
same_run() {
	name=$1
	shift
	rc_a=0 rc_n=0
	$run "$arm" "$@" >"$TEST_TMP/a.out" 2>"$TEST_TMP/a.err" || rc_a=$?
	"$FEAST" "$@" >"$TEST_TMP/n.out" 2>"$TEST_TMP/n.err" || rc_n=$?
	[ "$rc_a" = "$rc_n" ] || fail "$name: arm64 exit $rc_a, native exit $rc_n"
	cmp -s "$TEST_TMP/a.out" "$TEST_TMP/n.out" || { diff "$TEST_TMP/n.out" "$TEST_TMP/a.out" | head -20 >&2; fail "$name: stdout differs"; }
	cmp -s "$TEST_TMP/a.err" "$TEST_TMP/n.err" || { diff "$TEST_TMP/n.err" "$TEST_TMP/a.err" | head -20 >&2; fail "$name: stderr differs"; }
	runs=$((runs + 1))
}
runs=0
for f in "$SRC"/examples/*.yaml "$SRC"/testdata/render/*.yaml "$SRC"/testdata/good/*.yaml; do
	same_run "render $(basename "$f")" render -f "$f" -n feast
done
for f in "$SRC"/testdata/good/*.yaml "$SRC"/testdata/bad/*.yaml; do
	same_run "validate $(basename "$f")" validate -f "$f"
done
same_run "render -o json" render -f "$SRC/examples/featurestore-ha.yaml" -n feast -o json

# The sidecar (the image's daemon) and the static lock client, built by the same make.
cross="$SRC/build/cross/arm64/bin"
[ "$(elf_machine "$cross/feast-sidecar")" = b700 ] || fail "feast-sidecar is not an AArch64 ELF"
out=$($run "$cross/feast-lock" --version) || fail "the arm64 feast-lock does not start"
case "$out" in "feast-lock $version"*) ;; *) fail "arm64 feast-lock --version printed '$out'" ;; esac
use_apiserver
$run "$cross/feast-sidecar" lock $FILEB $T -- sh -c 'echo "$FEAST_REGISTRY_FENCE" >fence1' ||
	fail "the arm64 feast-sidecar could not take the Lease"
$run "$cross/feast-sidecar" lock $FILEB $T -- sh -c 'echo "$FEAST_REGISTRY_FENCE" >fence2' ||
	fail "the arm64 feast-sidecar could not take the Lease a second time"
[ "$(cat fence1) $(cat fence2)" = "0 1" ] || fail "fences $(cat fence1) $(cat fence2)"
[ "$(lease_field generation)" = 2 ] || fail "generation $(lease_field generation)"
[ "$(lease_field holderIdentity)" = "" ] || fail "the arm64 sidecar did not release the Lease"
# The image's arm64 daemon, its libcurl built here and linked in: the same over TLS.
make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" build/cross/arm64/bin/feast-sidecar.image >/dev/null ||
	fail "cannot build the arm64 image daemon"
$run "$cross/feast-sidecar.image" lock $FILEB $T -- sh -c 'echo "$FEAST_REGISTRY_FENCE" >fence3' ||
	fail "the arm64 image daemon could not take the Lease"
[ "$(cat fence3)" = 2 ] || fail "fence $(cat fence3)"
# The README states each archive's glibc floor: the newest GLIBC_ symbol version it needs.
make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" DIST="$TEST_TMP/dist" dist >/dev/null
for a in amd64 arm64; do
	mkdir -p "$TEST_TMP/floor-$a"
	tar -xzf "$TEST_TMP/dist/kubectl-feast_${version}_linux_$a.tar.gz" -C "$TEST_TMP/floor-$a" kubectl-feast
	floor=$(objdump -T "$TEST_TMP/floor-$a/kubectl-feast" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
	[ -n "$floor" ] || fail "no GLIBC_ versions in the $a binary"
	grep -q "^| \`kubectl-feast_<version>_linux_$a.tar.gz\` | $floor |" "$SRC/README.md" ||
		fail "README.md does not give $floor as the $a archive's glibc floor"
done
echo "arm64 archive: $(wc -c <"$archive") bytes; $runs render/validate runs identical to $host's"

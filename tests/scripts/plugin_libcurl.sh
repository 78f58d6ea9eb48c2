# plugin_libcurl.sh -- kubectl-feast loads libcurl only for the commands that talk to a
# cluster: render and validate run on a machine without it, and a cluster command there
# says what is missing (exit 3) instead of failing to start.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

FEAST="$FEAST_BIN_DIR/kubectl-feast"
example="$SRC/examples/featurestore-ha.yaml"

# ---- linked without libcurl; render never opens it, a cluster command does ----
ldd "$FEAST" >ldd.txt
grep -q libyaml ldd.txt || fail "ldd does not list libyaml: is this the right binary?"
grep -q libcurl ldd.txt && fail "kubectl-feast is linked against libcurl"

LD_DEBUG=files "$FEAST" render -f "$example" >render.yaml 2>loader.txt || fail "render failed"
grep -q 'file=libyaml' loader.txt || fail "LD_DEBUG shows no library loads at all"
grep -q 'libcurl' loader.txt && fail "render loaded libcurl"

# A port nothing listens on: the client gets as far as connecting, so libcurl is loaded.
expect_run 3 env LD_DEBUG=files "$FEAST" status shop --server https://127.0.0.1:1 --token t \
	--request-timeout=5s
grep -q 'file=libcurl.so.4' err || fail "status did not load libcurl.so.4"

# ---- a root filesystem holding kubectl-feast and exactly its ldd closure ----
[ "$(id -u)" = 0 ] || fail "this test needs root (chroot, mount)"
root="$TEST_TMP/root"
mkdir -p "$root/bin" "$root/proc" "$root/tmp"
cp "$FEAST" "$root/bin/kubectl-feast"
cp "$example" "$root/tmp/store.yaml"
for lib in $(awk '/=> \// { print $3 } /^\t\// { print $1 }' ldd.txt); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# The sanitizer runtime of a check-asan build reads /proc/self/maps.
mount -t proc proc "$root/proc" || fail "cannot mount /proc in the test root"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
[ -e "$root/usr/lib/x86_64-linux-gnu/libcurl.so.4" ] || [ -e "$root/lib/x86_64-linux-gnu/libcurl.so.4" ] &&
	fail "libcurl ended up in the test root"

expect_run 0 chroot "$root" /bin/kubectl-feast render -f /tmp/store.yaml
same_file render.yaml out "render without libcurl differs from render with it"

expect_run 3 chroot "$root" /bin/kubectl-feast status shop --server https://127.0.0.1:1 --token t
has err 'cannot initialise libcurl: libcurl.so.4: cannot open shared object file'
has err 'apt-get install libcurl4'
[ -s out ] && fail "a failed status printed on stdout"
exit 0

# pkg_image.sh -- `make image`: the feast-sidecar OCI image, built with umoci (no container
# engine), holds everything the daemon and the lock client need: unpacked with skopeo and
# umoci, both run inside its root filesystem under chroot as the image's user, the daemon
# serves the lock and the client takes it.  Two builds give the same digest and bytes.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

[ "$(id -u)" = 0 ] || fail "this test needs root (chroot, mount)"
for t in umoci skopeo chroot; do
	command -v $t >/dev/null 2>&1 || fail "$t is missing (scripts/deps.sh installs umoci and skopeo)"
done
[ -x "$FEAST_BIN_DIR/feast-sidecar" ] && [ -x "$FEAST_BIN_DIR/feast-lock" ] || fail "feast-sidecar or feast-lock not built"
version=$(cat "$SRC/VERSION")
url=https://example.test/feast
mk() {
	make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" DIST="$1" PROJECT_URL=$url image >/dev/null
}
mk "$TEST_TMP/a"
mk "$TEST_TMP/b"
img="$TEST_TMP/a/feast-sidecar-$version.oci.tar"
[ -f "$img" ] || fail "make image did not write $img"
cmp -s "$img" "$TEST_TMP/b/feast-sidecar-$version.oci.tar" || fail "two builds of the image differ"
d1=$(skopeo inspect --format '{{.Digest}}' "oci-archive:$img")
d2=$(skopeo inspect --format '{{.Digest}}' "oci-archive:$TEST_TMP/b/feast-sidecar-$version.oci.tar")
[ "$d1" = "$d2" ] && [ -n "$d1" ] || fail "image digests differ: $d1 $d2"

# The configuration: user, entry point, labels.
skopeo inspect --config "oci-archive:$img" >"$TEST_TMP/config.json"
"$PYTHON" - "$TEST_TMP/config.json" "$version" "$(git -C "$SRC" rev-parse HEAD)" "$url" <<'PY' || fail "image config"
import json, sys
c = json.load(open(sys.argv[1]))
version, revision, url = sys.argv[2:]
cfg = c["config"]
assert c["os"] == "linux", c["os"]
assert cfg["User"] == "65532:65532", cfg.get("User")
assert cfg["Entrypoint"] == ["/usr/bin/feast-sidecar", "run"], cfg.get("Entrypoint")
assert not cfg.get("Cmd"), cfg.get("Cmd")
assert cfg["Env"] == ["PATH=/usr/bin", "GNUTLS_NO_IMPLICIT_INIT=1"], cfg.get("Env")
labels = cfg["Labels"]
assert labels["org.opencontainers.image.version"] == version, labels
assert labels["org.opencontainers.image.revision"] == revision, labels
assert labels["org.opencontainers.image.source"] == url, labels
assert len(c["history"]) == 1 and c["history"][0]["created"] == c["created"], c["history"]
PY

# Unpack as a runtime would.
skopeo copy -q "oci-archive:$img" "oci:$TEST_TMP/layout:feast-sidecar"
umoci unpack --image "$TEST_TMP/layout:feast-sidecar" "$TEST_TMP/bundle" >/dev/null
root="$TEST_TMP/bundle/rootfs"
[ "$(stat -c %u:%g "$root/home/nonroot")" = 65532:65532 ] || fail "/home/nonroot is not the user's"
grep -qx 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' "$root/etc/passwd" || fail "/etc/passwd lacks the user"
grep -qx 'nonroot:x:65532:' "$root/etc/group" || fail "/etc/group lacks the group"
[ -s "$root/etc/ssl/certs/ca-certificates.crt" ] || fail "no CA bundle"
[ "$(stat -c %a "$root/tmp")" = 1777 ] || fail "/tmp is not 1777"

# Exactly the daemon's ldd closure, the loader included; nothing else is a shared object.
ldd "$FEAST_BIN_DIR/feast-sidecar" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	sort -u >"$TEST_TMP/closure"
(cd "$root" && find . -type f \( -name '*.so' -o -name '*.so.*' \) | sed 's|^\.||' | sort) >"$TEST_TMP/libs"
same_file "$TEST_TMP/closure" "$TEST_TMP/libs"
file_count=$(find "$root" -type f | wc -l)
[ "$file_count" = $(( $(wc -l <"$TEST_TMP/closure") + 6 )) ] ||
	{ find "$root" -type f >&2; fail "unexpected files in the image"; }

# Run inside it, as its user, with the /proc a container has.
layer=$(du -sb --apparent-size "$root" | cut -f1)
mkdir -p "$root/proc"
mount -t proc proc "$root/proc" || fail "cannot mount /proc in the image's root"
daemon=
cleanup() {
	[ -z "$daemon" ] || kill "$daemon" 2>/dev/null || true
	[ -z "$daemon" ] || wait "$daemon" 2>/dev/null || true
	umount "$root/proc" 2>/dev/null || true
}
trap cleanup EXIT
as_user() { chroot --userspec=65532:65532 "$root" "$@"; }
out=$(as_user /usr/bin/feast-sidecar --version) || fail "feast-sidecar does not run in the image"
[ "$out" = "feast-sidecar $version" ] || fail "feast-sidecar --version printed '$out'"
out=$(as_user /usr/bin/feast-lock --version) || fail "feast-lock does not run in the image"
case "$out" in "feast-lock $version"*) ;; *) fail "feast-lock --version printed '$out'" ;; esac
# chroot itself, not the function: $! must be the daemon (env and chroot exec it). The
# environment is the image config's, as a container runtime sets it.
env -i PATH=/usr/bin GNUTLS_NO_IMPLICIT_INIT=1 "$(command -v chroot)" --userspec=65532:65532 "$root" /usr/bin/feast-sidecar run --lease-file /tmp/lease.json --lease test --identity image-test \
	--socket /tmp/sock --listen "" 2>"$TEST_TMP/daemon.log" &
daemon=$!
i=0
until [ -S "$root/tmp/sock" ] && [ -x "$root/tmp/feast-lock" ]; do
	kill -0 "$daemon" 2>/dev/null || { cat "$TEST_TMP/daemon.log" >&2; fail "the daemon died in the image"; }
	i=$((i + 1))
	[ "$i" -lt 250 ] || { cat "$TEST_TMP/daemon.log" >&2; fail "the daemon did not serve its socket and lock client"; }
	sleep 0.02
done
# The client the daemon copied next to its socket (what other containers run) takes the lock.
out=$(as_user /tmp/feast-lock --socket /tmp/sock -w 10 -- /usr/bin/feast-sidecar --version) ||
	{ cat "$TEST_TMP/daemon.log" >&2; fail "feast-lock could not take the lock in the image"; }
[ "$out" = "feast-sidecar $version" ] || fail "the locked command printed '$out'"
as_user /usr/bin/feast-lock status --socket /tmp/sock | grep -q '"generation":1' ||
	fail "the lock's generation did not advance"
grep -q 'acquired test as image-test' "$TEST_TMP/daemon.log" || { cat "$TEST_TMP/daemon.log" >&2; fail "no acquisition logged"; }
kill "$daemon"
wait "$daemon" || fail "the daemon did not drain cleanly on SIGTERM"
daemon=

echo "image $d1: $(wc -c <"$img") bytes compressed, $layer bytes unpacked, $file_count files"

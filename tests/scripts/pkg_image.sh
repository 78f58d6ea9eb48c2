# pkg_image.sh -- `make image`: the feast-sidecar OCI image index (amd64 and arm64), built
# with umoci (no container engine). For each platform, unpacked with skopeo and umoci: under
# 10 MiB, exactly the shared objects its daemon needs, package data for every Debian package
# a file came from (and for the libcurl and nghttp2 linked in); run inside its root
# filesystem under chroot as the image's user (arm64 through qemu-user), the daemon reports
# a libcurl with HTTP/2 and HTTPS proxies, serves the lock and the client takes it. Two
# builds give the same digest and bytes.
# builds: image-bin-amd64 image-bin-arm64 -- the release trees under build/cross, shared by every script and run
# lock: build-cross -- its make writes build/cross when a tree is out of date
. "$FEAST_SOURCE_DIR/tests/lib.sh"

[ "$(id -u)" = 0 ] || fail "this test needs root (chroot, mount)"
for t in umoci skopeo chroot readelf qemu-aarch64-static; do
	command -v $t >/dev/null 2>&1 || fail "$t is missing (scripts/deps.sh installs it)"
done
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
passed_before pkg_image "$img" "$0" "$SRC/tests/lib.sh"

# The index: one entry named after the version, an image index of amd64 and arm64.
mkdir -p "$TEST_TMP/oci"
tar -xf "$img" -C "$TEST_TMP/oci"
index_digest=$("$PYTHON" - "$TEST_TMP/oci" "$version" <<'PY'
import json, os, sys
layout, version = sys.argv[1:]
top = json.load(open(os.path.join(layout, "index.json")))
assert len(top["manifests"]) == 1, top
entry = top["manifests"][0]
assert entry["mediaType"] == "application/vnd.oci.image.index.v1+json", entry
assert entry["annotations"]["org.opencontainers.image.ref.name"] == version, entry
index = json.load(open(os.path.join(layout, "blobs", "sha256", entry["digest"].split(":")[1])))
platforms = [(m["platform"]["os"], m["platform"]["architecture"]) for m in index["manifests"]]
assert platforms == [("linux", "amd64"), ("linux", "arm64")], platforms
print(entry["digest"])
PY
) || fail "the image index"

# check_platform ARCH QEMU: one platform's config, files, package data, and a run of the
# daemon and lock client in its root filesystem.
check_platform() {
	arch=$1 qemu=$2
	skopeo inspect --override-arch "$arch" --config "oci-archive:$img" >"$TEST_TMP/config-$arch.json"
	"$PYTHON" - "$TEST_TMP/config-$arch.json" "$version" "$(git -C "$SRC" rev-parse HEAD)" "$url" "$arch" <<'PY' ||
import json, sys
c = json.load(open(sys.argv[1]))
version, revision, url, arch = sys.argv[2:]
cfg = c["config"]
assert c["os"] == "linux" and c["architecture"] == arch, (c["os"], c["architecture"])
assert cfg["User"] == "65532:65532", cfg.get("User")
assert cfg["Entrypoint"] == ["/usr/bin/feast-sidecar", "run"], cfg.get("Entrypoint")
assert not cfg.get("Cmd"), cfg.get("Cmd")
assert cfg["Env"] == ["PATH=/usr/bin"], cfg.get("Env")
labels = cfg["Labels"]
assert labels["org.opencontainers.image.version"] == version, labels
assert labels["org.opencontainers.image.revision"] == revision, labels
assert labels["org.opencontainers.image.source"] == url, labels
assert len(c["history"]) == 1 and c["history"][0]["created"] == c["created"], c["history"]
PY
		fail "$arch image config"

	# Unpack as a runtime on that platform would.
	skopeo copy -q --override-arch "$arch" "oci-archive:$img" "oci:$TEST_TMP/layout-$arch:feast-sidecar"
	umoci unpack --image "$TEST_TMP/layout-$arch:feast-sidecar" "$TEST_TMP/bundle-$arch" >/dev/null
	root="$TEST_TMP/bundle-$arch/rootfs"
	[ "$(stat -c %u:%g "$root/home/nonroot")" = 65532:65532 ] || fail "$arch: /home/nonroot is not the user's"
	grep -qx 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' "$root/etc/passwd" || fail "$arch: /etc/passwd lacks the user"
	grep -qx 'nonroot:x:65532:' "$root/etc/group" || fail "$arch: /etc/group lacks the group"
	[ -s "$root/etc/ssl/certs/ca-certificates.crt" ] || fail "$arch: no CA bundle"
	[ "$(stat -c %a "$root/tmp")" = 1777 ] || fail "$arch: /tmp is not 1777"
	size=$(du -sb --apparent-size "$root" | cut -f1)
	[ "$size" -lt $((10 * 1024 * 1024)) ] || { du -ab "$root" | sort -n | tail -n 15 >&2; fail "$arch: $size bytes unpacked, not under 10 MiB"; }

	# Shared objects: each one the daemon's loader, or needed by an ELF file in the image
	# and found there; nothing else. The daemon has libcurl linked in, so no GnuTLS & co.
	"$PYTHON" - "$root" "$arch" <<'PY' || fail "$arch: shared objects"
import os, subprocess, sys
root, arch = sys.argv[1:]
triplet = {"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[arch]
elves, sos = [], set()
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        if open(p, "rb").read(4) == b"\x7fELF":
            elves.append(p)
            if ".so" in f:
                sos.add("/" + os.path.relpath(p, root))
used = set()
for e in elves:
    out = subprocess.run(["readelf", "-dl", e], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if "(NEEDED)" in line:
            name = line.split("[")[1].rstrip("]")
            hits = [d + "/" + name for d in ("/lib/" + triplet, "/usr/lib/" + triplet) if d + "/" + name in sos]
            assert hits, "%s needs %s, which the image lacks" % (e, name)
            used.add(hits[0])
        if "program interpreter:" in line:
            used.add(line.split(": ")[1].rstrip("]"))
assert used == sos, "not needed: %s; missing: %s" % (sorted(sos - used), sorted(used - sos))
for bad in ("gnutls", "ldap", "krb5", "unistring", "curl", "nghttp2"):
    assert not any(bad in s for s in sos), "%s is in the image" % bad
PY

	# Package data: a dpkg stanza for every Debian package a file came from, with the
	# installed version and the platform's architecture; libcurl4 and libnghttp2-14 for what
	# is linked in.
	"$PYTHON" - "$root" "$arch" <<'PY' || fail "$arch: package data"
import os, subprocess, sys
root, arch = sys.argv[1:]
sd = os.path.join(root, "var/lib/dpkg/status.d")
stanzas = {}
for name in os.listdir(sd):
    fields, last = {}, None
    for line in open(os.path.join(sd, name)):
        if line[0] in " \t":
            continue
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    assert fields["Package"] == name, (name, fields.get("Package"))
    assert fields["Status"] == "install ok installed", fields
    assert fields["Architecture"] in (arch, "all"), fields
    stanzas[name] = fields
owners = {"ca-certificates"}
for d, _, files in os.walk(root):
    for f in files:
        p = "/" + os.path.relpath(os.path.join(d, f), root)
        if ".so" in f:
            for c in (p, "/usr" + p):
                r = subprocess.run(["dpkg-query", "-S", c], capture_output=True, text=True)
                if r.returncode == 0:
                    owners.add(r.stdout.split(":")[0])
                    break
            else:
                sys.exit("no package owns " + p)
for o in owners:
    assert o in stanzas, "no status.d entry for " + o
    want = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", o + ":" + arch if o != "ca-certificates" else o],
                          capture_output=True, text=True, check=True).stdout
    assert stanzas[o]["Version"] == want, (o, stanzas[o]["Version"], want)
curl = stanzas["libcurl4"]
assert curl["Source"] == "curl" and curl["Architecture"] == arch, curl
want = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libcurl4-openssl-dev:" + arch],
                      capture_output=True, text=True, check=True).stdout
assert curl["Version"] == want, (curl["Version"], want)
h2 = stanzas["libnghttp2-14"]
assert h2["Source"] == "nghttp2" and h2["Architecture"] == arch, h2
want = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libnghttp2-14:" + arch],
                      capture_output=True, text=True, check=True).stdout
assert h2["Version"] == want, (h2["Version"], want)
extra = set(stanzas) - owners - {"libcurl4", "libnghttp2-14"}
assert not extra, "stanzas for packages with no file in the image: %s" % sorted(extra)
print(" ".join(sorted(stanzas)))
PY
	# A scanner's view: trivy (from npm, offline) lists the same packages.
	if trivy=$("$SRC/scripts/trivy.sh"); then
		"$trivy" rootfs --quiet --offline-scan --skip-db-update --format cyclonedx --output "$TEST_TMP/sbom-$arch.json" \
			"$root" 2>"$TEST_TMP/trivy.log" || { cat "$TEST_TMP/trivy.log" >&2; fail "$arch: trivy failed"; }
		"$PYTHON" - "$TEST_TMP/sbom-$arch.json" "$root" <<'PY' || fail "$arch: trivy's package listing"
import json, os, sys
sbom, root = sys.argv[1:]
comps = json.load(open(sbom)).get("components", [])
oses = [c["name"] for c in comps if c.get("type") == "operating-system"]
assert oses == ["debian"], "trivy saw the distribution as %r" % oses
got = {c["name"]: c.get("purl", "") for c in comps if c.get("type") == "library"}
want = set(os.listdir(os.path.join(root, "var/lib/dpkg/status.d")))
assert want <= set(got), "trivy did not list %s (it listed %s)" % (sorted(want - set(got)), sorted(got))
for name in want:
    assert got[name].startswith("pkg:deb/debian/%s@" % name) and "distro=debian-12" in got[name], got[name]
PY
	fi

	run_in_image "$root" "$qemu"
	report="$report${report:+
}$arch: $size bytes unpacked, $(find "$root" -type f | wc -l) files, packages: $(ls "$root/var/lib/dpkg/status.d" | tr '\n' ' ')"
}

# run_in_image ROOT QEMU: the daemon and the lock client, as the image's user, with the /proc
# a container has and the image config's environment; QEMU (a static qemu-user) runs a
# foreign platform's binaries from inside the root.
daemon= mounted=
cleanup() {
	[ -z "$daemon" ] || kill "$daemon" 2>/dev/null || true
	[ -z "$daemon" ] || wait "$daemon" 2>/dev/null || true
	[ -z "$mounted" ] || umount "$mounted" 2>/dev/null || true
}
trap cleanup EXIT
run_in_image() {
	root=$1 emu=""
	if [ -n "$2" ]; then
		cp "$(command -v "$2")" "$root/qemu"
		emu=/qemu
	fi
	as_user() { chroot --userspec=65532:65532 "$root" $emu "$@"; }
	mkdir -p "$root/proc"
	mount -t proc proc "$root/proc" || fail "cannot mount /proc in the image's root"
	mounted=$root/proc
	as_user /usr/bin/feast-sidecar --version >"$TEST_TMP/version-$arch" || fail "feast-sidecar does not run in the image"
	[ "$(head -n 1 "$TEST_TMP/version-$arch")" = "feast-sidecar $version" ] ||
		fail "feast-sidecar --version printed '$(cat "$TEST_TMP/version-$arch")'"
	# The libcurl linked in, as it reports itself at run time: OpenSSL and nghttp2 in, HTTP/2
	# and HTTPS proxies on, none of Debian's extra libraries.
	h2=$(dpkg-query -W -f '${Version}' "libnghttp2-14:$arch" | sed 's/-.*//')
	sed -n 2p "$TEST_TMP/version-$arch" | grep -Eqx "libcurl/[0-9.]+ OpenSSL/[0-9.]+ nghttp2/$h2" ||
		fail "$arch: the daemon's libcurl: $(sed -n 2p "$TEST_TMP/version-$arch")"
	sed -n 3p "$TEST_TMP/version-$arch" | grep -qw 'HTTP2' || fail "$arch: no HTTP2 in $(sed -n 3p "$TEST_TMP/version-$arch")"
	sed -n 3p "$TEST_TMP/version-$arch" | grep -qw 'HTTPS-proxy' ||
		fail "$arch: no HTTPS-proxy in $(sed -n 3p "$TEST_TMP/version-$arch")"
	out=$(as_user /usr/bin/feast-lock --version) || fail "feast-lock does not run in the image"
	case "$out" in "feast-lock $version"*) ;; *) fail "feast-lock --version printed '$out'" ;; esac
	# chroot itself, not the function: $! must be the daemon (env and chroot exec it).
	env -i PATH=/usr/bin "$(command -v chroot)" --userspec=65532:65532 "$root" $emu /usr/bin/feast-sidecar run \
		--lease-file /tmp/lease.json --lease test --identity image-test \
		--socket /tmp/sock --listen "" 2>"$TEST_TMP/daemon.log" &
	daemon=$!
	i=0
	until [ -S "$root/tmp/sock" ] && [ -x "$root/tmp/feast-lock" ]; do
		kill -0 "$daemon" 2>/dev/null || { cat "$TEST_TMP/daemon.log" >&2; fail "the daemon died in the image"; }
		i=$((i + 1))
		[ "$i" -lt 500 ] || { cat "$TEST_TMP/daemon.log" >&2; fail "the daemon did not serve its socket and lock client"; }
		sleep 0.02
	done
	# The client the daemon copied next to its socket (what other containers run) takes the lock.
	# (Without binfmt_misc, qemu-user cannot exec a foreign binary: the locked command
	# names the emulator itself.)
	out=$(as_user /tmp/feast-lock --socket /tmp/sock -w 10 -- $emu /usr/bin/feast-sidecar --version) ||
		{ cat "$TEST_TMP/daemon.log" >&2; fail "feast-lock could not take the lock in the image"; }
	[ "$(echo "$out" | head -n 1)" = "feast-sidecar $version" ] || fail "the locked command printed '$out'"
	as_user /usr/bin/feast-lock status --socket /tmp/sock | grep -q '"generation":1' ||
		fail "the lock's generation did not advance"
	grep -q 'acquired test as image-test' "$TEST_TMP/daemon.log" || { cat "$TEST_TMP/daemon.log" >&2; fail "no acquisition logged"; }
	kill "$daemon"
	wait "$daemon" || fail "the daemon did not drain cleanly on SIGTERM"
	daemon=
	umount "$root/proc"
	mounted=
	rm -f "$root/qemu"
}

report=""
check_platform amd64 ""
check_platform arm64 "$([ "$(uname -m)" = aarch64 ] || echo qemu-aarch64-static)"
report="$report
image index $index_digest: $(wc -c <"$img") bytes"
remember_pass pkg_image "$report"

# pkg_cmp_image.sh -- `make cmp-image`: the Argo CD Config Management Plugin image
# (docs/gitops/argocd), an index of amd64 and arm64, reproducible. In each platform's root
# filesystem (arm64's under qemu-user), plugin.yaml's own discover and generate commands run
# verbatim as Argo CD runs them (uid 999, bare environment, in the application's directory)
# on the recipe's example, and give byte for byte what the native build gives.
# builds: cross-amd64 cross-arm64 -- the release trees under build/cross, shared by every script and run
# lock: build-cross -- its make writes build/cross when a tree is out of date
. "$FEAST_SOURCE_DIR/tests/lib.sh"

[ "$(id -u)" = 0 ] || fail "this test needs root (chroot)"
for t in umoci skopeo chroot qemu-aarch64-static; do
	command -v $t >/dev/null 2>&1 || fail "$t is missing (scripts/deps.sh installs it)"
done
version=$(cat "$SRC/VERSION")
DOC="$SRC/docs/gitops/argocd"
mk() {
	make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" DIST="$1" PROJECT_URL=https://example.test/feast \
		cmp-image >/dev/null
}
mk "$TEST_TMP/a"
mk "$TEST_TMP/b"
img="$TEST_TMP/a/kubectl-feast-cmp-$version.oci.tar"
[ -f "$img" ] || fail "make cmp-image did not write $img"
cmp -s "$img" "$TEST_TMP/b/kubectl-feast-cmp-$version.oci.tar" || fail "two builds of the CMP image differ"
passed_before pkg_cmp_image "$img" "$0" "$SRC/tests/lib.sh" "$DOC/example/"*.yaml

# The plugin's commands, as argv files (NUL-separated), from the shipped plugin.yaml.
"$PYTHON" - "$DOC/plugin.yaml" "$TEST_TMP" <<'PY' || fail "plugin.yaml"
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["spec"]
for name, c in (("generate", s["generate"]), ("discover", s["discover"]["find"])):
    with open("%s/%s.argv" % (sys.argv[2], name), "w") as f:
        f.write("\0".join(c["command"] + c.get("args", [])))
PY

# What the native build renders for the example, as the plugin asks.
mkdir -p "$TEST_TMP/app"
cp "$DOC/example/"*.yaml "$TEST_TMP/app/"
(cd "$TEST_TMP/app" && "$FEAST" render -f . -n feast) >"$TEST_TMP/native.yaml" || fail "native render of the example"

unpack() {
	skopeo inspect --override-arch "$1" --config "oci-archive:$img" >"$TEST_TMP/config-$1.json"
	"$PYTHON" - "$TEST_TMP/config-$1.json" "$1" <<'PY' || fail "$1 CMP image config"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["architecture"] == sys.argv[2], c["architecture"]
cfg = c["config"]
assert cfg["User"] == "999:999", cfg.get("User")
assert cfg["Entrypoint"] == ["/var/run/argocd/argocd-cmp-server"], cfg.get("Entrypoint")
assert "HOME=/home/argocd" in cfg["Env"], cfg["Env"]
PY
	skopeo copy -q --override-arch "$1" "oci-archive:$img" "oci:$TEST_TMP/layout-$1:cmp"
	umoci unpack --image "$TEST_TMP/layout-$1:cmp" "$TEST_TMP/bundle-$1" >/dev/null
	root="$TEST_TMP/bundle-$1/rootfs"
	cmp -s "$DOC/plugin.yaml" "$root/home/argocd/cmp-server/config/plugin.yaml" || fail "$1: plugin.yaml not in place"
	grep -qx 'argocd:x:999:999:argocd:/home/argocd:/sbin/nologin' "$root/etc/passwd" || fail "$1: no argocd user"
	[ "$(stat -c %u "$root/home/argocd")" = 999 ] || fail "$1: /home/argocd is not the user's"
	for p in busybox-static libc6 libyaml-0-2; do
		grep -q "^Architecture: $1\$" "$root/var/lib/dpkg/status.d/$p" || fail "$1: no package data for $p"
	done
	[ ! -e "$root/usr/lib/${2}/libcurl.so.4" ] || fail "$1: libcurl is in the CMP image"
	mkdir -p "$root/tmp/app"
	cp "$DOC/example/"*.yaml "$root/tmp/app/"
	chown -R 999:999 "$root/tmp/app"
	echo "$1: $(du -sb --apparent-size "$root" | cut -f1) bytes unpacked"
}

# as_argocd ROOT ARGV-FILE [EMULATOR]: the command in /tmp/app of ROOT, as Argo CD's repo
# server runs it. EMULATOR (its path in ROOT) runs a foreign root's first shell, and that
# root's /qemu-bin comes first on PATH (below).
as_argocd() {
	_path=/usr/local/bin:/usr/bin:/bin
	[ -z "${3:-}" ] || _path=/qemu-bin:$_path
	xargs -0 -a "$2" env -i PATH="$_path" HOME=/home/argocd ARGOCD_APP_NAME=driver-stats \
		ARGOCD_APP_NAMESPACE=feast "$(command -v chroot)" --userspec=999:999 "$1" ${3:-} \
		/bin/sh -c 'cd /tmp/app && exec "$@"' sh
}

unpack amd64 x86_64-linux-gnu
root="$TEST_TMP/bundle-amd64/rootfs"
found=$(as_argocd "$root" "$TEST_TMP/discover.argv" </dev/null) || fail "discover failed in the image"
[ "$found" = "./featurestore.yaml" ] || fail "discover printed '$found'"
as_argocd "$root" "$TEST_TMP/generate.argv" </dev/null >"$TEST_TMP/generated.yaml" 2>"$TEST_TMP/generate.err" ||
	{ cat "$TEST_TMP/generate.err" >&2; fail "generate failed in the image"; }
same_file "$TEST_TMP/native.yaml" "$TEST_TMP/generated.yaml"

# arm64: without binfmt_misc the kernel cannot exec an arm64 binary, and a process under
# qemu-user execs through the kernel. So each program the plugin's commands exec (sh, grep,
# kubectl-feast) is reached through a script in /qemu-bin, first on PATH, whose #! line
# names the emulator (a static x86-64 binary the kernel runs) and which execs the image's own
# binary under it. plugin.yaml's argv then runs unchanged, by the image's arm64 busybox and
# kubectl-feast; no file of the image is replaced.
unpack arm64 aarch64-linux-gnu
root="$TEST_TMP/bundle-arm64/rootfs"
cp "$(command -v qemu-aarch64-static)" "$root/qemu"
mkdir -p "$root/qemu-bin"
for p in /bin/sh /bin/grep /usr/local/bin/kubectl-feast; do
	printf '#!/qemu /bin/sh\nexec /qemu %s "$@"\n' "$p" >"$root/qemu-bin/${p##*/}"
	chmod 0755 "$root/qemu-bin/${p##*/}"
done
found=$(as_argocd "$root" "$TEST_TMP/discover.argv" /qemu </dev/null) || fail "discover failed in the arm64 image"
[ "$found" = "./featurestore.yaml" ] || fail "arm64 discover printed '$found'"
as_argocd "$root" "$TEST_TMP/generate.argv" /qemu </dev/null >"$TEST_TMP/generated-arm64.yaml" \
	2>"$TEST_TMP/generate-arm64.err" || { cat "$TEST_TMP/generate-arm64.err" >&2; fail "generate failed in the arm64 image"; }
same_file "$TEST_TMP/native.yaml" "$TEST_TMP/generated-arm64.yaml"
same_file "$TEST_TMP/generate.err" "$TEST_TMP/generate-arm64.err"
remember_pass pkg_cmp_image "CMP image index $(tar -xOf "$img" index.json | grep -o 'sha256:[0-9a-f]*' | head -n 1): $(wc -c <"$img") bytes"

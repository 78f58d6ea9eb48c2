# pkg_dist.sh -- `make dist krew`: a reproducible plugin archive and a krew manifest that
# describes it and the other platform's archive truly; installed the way krew installs it,
# the real kubectl runs the plugin and completes it through kubectl_complete-feast.
# builds: cross-arm64 -- the release trees under build/cross, shared by every script and run
# lock: build-cross -- its make writes build/cross when a tree is out of date
. "$FEAST_SOURCE_DIR/tests/lib.sh"

command -v kubectl >/dev/null 2>&1 || fail "kubectl is not installed"
version=$(cat "$SRC/VERSION")
mk() {
	make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" DIST="$TEST_TMP/dist" \
		KREW_MANIFEST="$TEST_TMP/feast.yaml" "$@" >/dev/null
}
mk dist krew
arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
archive="$TEST_TMP/dist/kubectl-feast_${version}_linux_${arch}.tar.gz"
[ -f "$archive" ] || fail "make dist did not write $archive"

# The archive: the expected members, owned by 0:0, one fixed mtime, executables 0755.
tar -tvzf "$archive" >"$TEST_TMP/listing"
members=$(tar -tzf "$archive" | LC_ALL=C sort | tr '\n' ' ')
[ "$members" = "LICENSE README.md kubectl-feast kubectl-feast.1 kubectl_complete-feast " ] ||
	fail "archive members: $members"
awk '$2 != "0/0" { exit 1 }' "$TEST_TMP/listing" || { cat "$TEST_TMP/listing"; fail "archive members not owned by 0/0"; }
[ "$(awk '{ print $4 " " $5 }' "$TEST_TMP/listing" | sort -u | wc -l)" = 1 ] ||
	{ cat "$TEST_TMP/listing"; fail "archive members carry different mtimes"; }
grep -q '^-rwxr-xr-x .* kubectl-feast$' "$TEST_TMP/listing" || fail "kubectl-feast is not 0755 in the archive"
grep -q '^-rwxr-xr-x .* kubectl_complete-feast$' "$TEST_TMP/listing" || fail "kubectl_complete-feast is not 0755"
grep -q '^-rw-r--r-- .* LICENSE$' "$TEST_TMP/listing" || fail "LICENSE is not 0644"

# Reproducible: the same inputs with other mtimes, modes and umask give the same bytes.
mkdir -p "$TEST_TMP/again"
for f in "$FEAST_BIN_DIR/kubectl-feast" "$SRC/packaging/kubectl_complete-feast" \
	"$TEST_TMP/dist/man/kubectl-feast.1" "$SRC/LICENSE" "$SRC/README.md"; do
	cp -p "$f" "$TEST_TMP/again/"
done
touch -d '2001-02-03 04:05:06' "$TEST_TMP/again"/*
chmod go-r "$TEST_TMP/again/LICENSE"
epoch=$(git -C "$SRC" log -1 --format=%ct)
(cd "$TEST_TMP/again" && umask 077 && SOURCE_DATE_EPOCH=$epoch "$SRC/packaging/dist.sh" "$TEST_TMP/again.tar.gz" \
	kubectl-feast kubectl_complete-feast kubectl-feast.1 LICENSE README.md)
cmp -s "$archive" "$TEST_TMP/again.tar.gz" || fail "the archive is not reproducible"

# The manifest: krew's fields, the archive's sha256 and member list.
"$PYTHON" - "$TEST_TMP/feast.yaml" "$TEST_TMP/dist" "$version" <<'PY' || fail "krew manifest check failed"
import hashlib, os, sys, tarfile, yaml
path, dist, version = sys.argv[1:]
m = yaml.safe_load(open(path))
def need(cond, what):
    if not cond:
        sys.exit("krew manifest: " + what)
need(m["apiVersion"] == "krew.googlecontainertools.github.com/v1alpha2", "apiVersion")
need(m["kind"] == "Plugin", "kind")
need(m["metadata"] == {"name": "feast"}, "metadata.name must be feast (the plugin's name)")
s = m["spec"]
need(s["version"] == "v" + version, "spec.version %r" % s["version"])
need(s["homepage"].startswith("https://"), "homepage")
need(0 < len(s["shortDescription"]) <= 50 and "\n" not in s["shortDescription"], "shortDescription")
need(len(s["description"].split()) >= 20, "description too short")
need(set(s) <= {"version", "homepage", "shortDescription", "description", "caveats", "platforms"}, "unknown spec fields")
arches = [p["selector"]["matchLabels"].get("arch") for p in s["platforms"]]
need(arches == ["amd64", "arm64"], "platforms %r (want amd64 and arm64)" % arches)
for p in s["platforms"]:
    arch = p["selector"]["matchLabels"]["arch"]
    archive = os.path.join(dist, "kubectl-feast_%s_linux_%s.tar.gz" % (version, arch))
    need(p["selector"] == {"matchLabels": {"os": "linux", "arch": arch}}, "selector %r" % p["selector"])
    need(p["uri"].startswith("https://") and p["uri"].endswith("/" + os.path.basename(archive)), "uri %r" % p["uri"])
    need(p["sha256"] == hashlib.sha256(open(archive, "rb").read()).hexdigest(), arch + ": sha256 does not match the archive")
    members = sorted(tarfile.open(archive).getnames())
    need(sorted(f["from"] for f in p["files"]) == members, arch + ": files do not list the archive's members")
    need(all(f["to"] == "." for f in p["files"]), "files[].to")
    need(p["bin"] == "kubectl-feast" and "kubectl-feast" in members, "bin")
PY

# Install as krew does: unpack into the store, copy `files`, link `bin` into krew's bin.
store="$TEST_TMP/krew/store/feast/v$version"
mkdir -p "$TEST_TMP/unpack" "$store" "$TEST_TMP/krew/bin"
tar -xzf "$archive" -C "$TEST_TMP/unpack"
"$PYTHON" -c 'import sys, yaml; [print(f["from"]) for p in yaml.safe_load(open(sys.argv[1]))["spec"]["platforms"]
	if p["selector"]["matchLabels"]["arch"] == sys.argv[2] for f in p["files"]]' "$TEST_TMP/feast.yaml" "$arch" | while read -r f; do cp -p "$TEST_TMP/unpack/$f" "$store/"; done
ln -s "$store/kubectl-feast" "$TEST_TMP/krew/bin/kubectl-feast"
# The caveat's completion link, as a user would make it.
ln -s "$store/kubectl_complete-feast" "$TEST_TMP/krew/bin/"
export PATH="$TEST_TMP/krew/bin:$PATH"
export KUBECONFIG="$TEST_TMP/empty-kubeconfig"
kubectl plugin list 2>/dev/null >"$TEST_TMP/plugins" || true
grep -qx "$TEST_TMP/krew/bin/kubectl-feast" "$TEST_TMP/plugins" || { cat "$TEST_TMP/plugins"; fail "kubectl plugin list does not show the krew-installed plugin"; }
out=$(kubectl feast version)
[ "$out" = "kubectl-feast $version" ] || fail "kubectl feast version printed '$out'"
kubectl feast render -f "$SRC/examples/featurestore-ha.yaml" -n feast >"$TEST_TMP/rendered.yaml"
grep -q '^kind: Deployment' "$TEST_TMP/rendered.yaml" || fail "the installed plugin did not render the example"
kubectl __complete feast ren 2>/dev/null >"$TEST_TMP/comp"
[ "$(cut -f1 "$TEST_TMP/comp")" = "render
:4" ] || { cat "$TEST_TMP/comp"; fail "kubectl did not complete through the installed kubectl_complete-feast"; }
MANPAGER=cat man -l "$store/kubectl-feast.1" 2>/dev/null | grep -q 'kubectl feast render' || fail "the shipped man page does not render"
echo "archive $(basename "$archive"): $(wc -c <"$archive") bytes, sha256 $(sha256sum "$archive" | cut -c1-16)..."

#!/bin/sh
# image.sh OUT VERSION SIDECAR LOCK -- the feast-sidecar OCI image as an oci-archive, with
# umoci and no container engine.
#
# The root filesystem holds the daemon, exactly the shared objects of its ldd closure (and
# the dynamic loader), the static lock client next to it, the CA bundle, and passwd/group
# entries for the unprivileged user 65532 it runs as.  Entry point: feast-sidecar run.
#
# Reproducible: the layer is a tar made here (names sorted, owners numeric, every mtime
# SOURCE_DATE_EPOCH); umoci adds it without history and the config carries the same time;
# the archive of the OCI layout is written the same way.  So one commit gives one image
# digest and one archive.  Environment: SOURCE_DATE_EPOCH, REVISION (the commit),
# PROJECT_URL.
set -eu
out=$1 version=$2 sidecar=$3 lock=$4
: "${SOURCE_DATE_EPOCH:?}" "${PROJECT_URL:?}"
revision=${REVISION:-unknown}
command -v umoci >/dev/null 2>&1 || { echo "image.sh: umoci is missing (scripts/deps.sh installs it)" >&2; exit 1; }
export LC_ALL=C TZ=UTC

work=$(mktemp -d "${TMPDIR:-/tmp}/feast-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/usr/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/home/nonroot"

# The programs, without debug information or build ID: the linker derives the ID from
# the debug information, which names the build directory, so a checkout elsewhere would
# give another image.
strip --strip-debug --remove-section=.note.gnu.build-id -o "$root/usr/bin/feast-sidecar" "$sidecar"
strip --strip-debug --remove-section=.note.gnu.build-id -o "$root/usr/bin/feast-lock" "$lock"
chmod 0755 "$root/usr/bin/feast-sidecar" "$root/usr/bin/feast-lock"
if ldd "$lock" >/dev/null 2>&1; then
	echo "image.sh: $lock is not statically linked" >&2
	exit 1
fi

# The daemon's shared objects as the loader will look for them: each at the path ldd
# resolved (the real file, not the symlink chain), and the loader at its PT_INTERP path.
ldd "$sidecar" >"$work/ldd"
if grep -q 'not found' "$work/ldd"; then
	cat "$work/ldd" >&2
	exit 1
fi
awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' "$work/ldd" | sort -u >"$work/libs"
[ -s "$work/libs" ] || { echo "image.sh: ldd found no libraries for $sidecar" >&2; exit 1; }
while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
	chmod 0755 "$root$lib"
done <"$work/libs"

cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/nsswitch.conf" "$root/etc/ssl/certs/ca-certificates.crt"
find "$root" -type d -exec chmod 0755 {} +
chmod 1777 "$root/tmp"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# The layer: everything owned by root, then the user's home owned by the user.
(cd "$root" && find . -mindepth 1 ! -path ./home/nonroot | sed 's|^\./||' | sort >"$work/list")
tar --format=ustar --no-recursion --numeric-owner --owner=0 --group=0 --mtime="@$SOURCE_DATE_EPOCH" \
	-C "$root" -cf "$work/layer.tar" -T "$work/list"
tar --format=ustar --no-recursion --numeric-owner --owner=65532 --group=65532 \
	--mtime="@$SOURCE_DATE_EPOCH" -C "$root" -rf "$work/layer.tar" home/nonroot

created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
layout=$work/oci
umoci init --layout "$layout"
umoci new --image "$layout:$version"
umoci raw add-layer --image "$layout:$version" --history.created "$created" \
	--history.created_by "packaging/image.sh (kubectl-feast $version)" --history.author kubectl-feast \
	"$work/layer.tar"
# GNUTLS_NO_IMPLICIT_INIT: libcurl's LDAP support links GnuTLS, whose constructor would
# otherwise initialise it (and p11-kit) in a daemon that never uses it: 0.6 MiB of RSS.
umoci config --no-history --image "$layout:$version" \
	--created "$created" --author "kubectl-feast" \
	--config.user 65532:65532 \
	--config.entrypoint /usr/bin/feast-sidecar --config.entrypoint run \
	--config.env PATH=/usr/bin --config.env GNUTLS_NO_IMPLICIT_INIT=1 \
	--config.workingdir / \
	--config.label "org.opencontainers.image.title=feast-sidecar" \
	--config.label "org.opencontainers.image.description=Cluster-wide Feast registry lock and readiness gating" \
	--config.label "org.opencontainers.image.source=$PROJECT_URL" \
	--config.label "org.opencontainers.image.version=$version" \
	--config.label "org.opencontainers.image.revision=$revision" \
	--config.label "org.opencontainers.image.created=$created" \
	--config.label "org.opencontainers.image.licenses=MIT" \
	--manifest.annotation "org.opencontainers.image.source=$PROJECT_URL" \
	--manifest.annotation "org.opencontainers.image.version=$version" \
	--manifest.annotation "org.opencontainers.image.revision=$revision" \
	--manifest.annotation "org.opencontainers.image.created=$created"
umoci gc --layout "$layout"

# oci-archive is a tar of the layout; written here so that its bytes are fixed too.
find "$layout" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$(dirname "$out")"
(cd "$layout" && find . -mindepth 1 | sed 's|^\./||' | sort >"$work/oci-list")
tar --format=ustar --no-recursion --numeric-owner --owner=0 --group=0 --mode=u+rw,go+r \
	--mtime="@$SOURCE_DATE_EPOCH" -C "$layout" -cf "$out.tmp" -T "$work/oci-list"
mv "$out.tmp" "$out"

#!/bin/sh
# image.sh OUT VERSION ARCH:BINDIR:STATUS_D... -- the feast-sidecar OCI image as an oci-archive
# holding an image index with one manifest per ARCH, with umoci and no container engine.
#
# Each root filesystem holds BINDIR's daemon (feast-sidecar.image, libcurl linked in),
# exactly the shared objects it needs (its DT_NEEDED closure, resolved in the target's
# multiarch folders as its loader would) and the loader, the static lock client, the CA
# bundle, passwd/group entries for the unprivileged user 65532 it runs as, and the package
# data scanners read: /etc/os-release, /etc/debian_version and one var/lib/dpkg/status.d/<package>
# stanza per Debian package a file was copied from (as distroless images do), plus the
# stanzas in STATUS_D for the libraries linked into the daemon (libcurl and nghttp2).
# Entry point: feast-sidecar run.
#
# Reproducible: the layers are tars made here (names sorted, owners numeric, every mtime
# SOURCE_DATE_EPOCH); umoci adds them without history and the configs carry the same
# time; the index and the archive of the OCI layout are written the same way.  So one
# commit gives one index digest and one archive.  Environment: SOURCE_DATE_EPOCH,
# REVISION (the commit), PROJECT_URL.
set -eu
out=$1 version=$2
shift 2
: "${SOURCE_DATE_EPOCH:?}" "${PROJECT_URL:?}"
revision=${REVISION:-unknown}
command -v umoci >/dev/null 2>&1 || { echo "image.sh: umoci is missing (scripts/deps.sh installs it)" >&2; exit 1; }
export LC_ALL=C TZ=UTC
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)

work=$(mktemp -d "${TMPDIR:-/tmp}/feast-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/rootfs-lib.sh"

# rootfs ARCH BINDIR STATUS_D ROOT: the root filesystem of one platform.
rootfs() {
	arch=$1 bindir=$2 status=$3 root=$4
	triplet=$(triplet_of "$arch")
	mkdir -p "$root/usr/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/home/nonroot"
	# Without debug information or build ID: the linker derives the ID from the debug
	# information, which names the build directory.
	"$triplet-strip" --strip-debug --remove-section=.note.gnu.build-id -o "$root/usr/bin/feast-sidecar" \
		"$bindir/feast-sidecar.image"
	"$triplet-strip" --strip-debug --remove-section=.note.gnu.build-id -o "$root/usr/bin/feast-lock" \
		"$bindir/feast-lock"
	chmod 0755 "$root/usr/bin/feast-sidecar" "$root/usr/bin/feast-lock"
	if readelf -l "$root/usr/bin/feast-lock" | grep -q 'INTERP'; then
		echo "image.sh: $bindir/feast-lock is not statically linked" >&2
		exit 1
	fi
	copy_closure "$root" "$bindir/feast-sidecar.image" "$triplet" "$arch" >"$work/pkgs-$arch"
	cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
	distro_markers "$root"
	# shellcheck disable=SC2046 # one argument per package
	package_data "$root" "$arch" ca-certificates $(cat "$work/pkgs-$arch")
	for f in "$status"/*; do
		sed "s/^Architecture: .*/Architecture: $arch/" "$f" >"$root/var/lib/dpkg/status.d/${f##*/}"
	done
	printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
	printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
	fix_modes "$root"
}

layout=$work/oci
umoci init --layout "$layout"
for spec in "$@"; do
	arch=${spec%%:*} rest=${spec#*:}
	bindir=${rest%%:*} status=${rest#*:}
	rootfs "$arch" "$bindir" "$status" "$work/rootfs-$arch"
	layer "$work/rootfs-$arch" "$work/layer-$arch.tar" home/nonroot 65532
	oci_image "$layout" "$arch" "$work/layer-$arch.tar" packaging/image.sh feast-sidecar \
		"Cluster-wide Feast registry lock and readiness gating" \
		--config.user 65532:65532 \
		--config.entrypoint /usr/bin/feast-sidecar --config.entrypoint run \
		--config.env PATH=/usr/bin \
		--config.workingdir /
done
umoci gc --layout "$layout"
"$(dirname "$0")/oci-index.sh" "$layout" "$version" "$PROJECT_URL" "$revision" "$created" "$@"
archive "$layout" "$out"

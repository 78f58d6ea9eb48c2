#!/bin/sh
# krew.sh ARCHIVE VERSION URI OS ARCH OUT -- the krew Plugin manifest for ARCHIVE.
#
# `files` lists what the archive holds (read from it, so the two cannot
# disagree), `sha256` is the archive's own; URI is where the release will
# serve it.  The text is written in a fixed order, so the same archive gives
# the same manifest.
set -eu
archive=$1 version=$2 uri=$3 os=$4 arch=$5 out=$6
homepage=${PROJECT_URL:?PROJECT_URL must be set}
sha=$(sha256sum "$archive" | cut -d' ' -f1)
files=$(tar -tzf "$archive" | LC_ALL=C sort)
mkdir -p "$(dirname "$out")"
{
	cat <<YAML
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: feast
spec:
  version: v$version
  homepage: $homepage
  shortDescription: Render Feast FeatureStores as HA Kubernetes YAML
  description: |
    kubectl feast reads Feast FeatureStore specs (the feast.dev/v1 custom
    resource of the Feast operator), checks them exactly as the operator's CRD
    would, and renders the objects the operator would create (ServiceAccount,
    RBAC, ConfigMaps, Services, Deployment, HPA, PDB, CronJob) as plain,
    deterministic YAML for GitOps, with HA defaults: rolling updates, soft
    zone spread and anti-affinity, and no replicas field under an autoscaler.
    It works offline; its feast-sidecar image adds a cluster-wide registry
    lock on a Lease.
  caveats: |
    The binary is built for glibc and links libyaml and libcurl dynamically
    (Debian 12 or Ubuntu 22.04 and later: apt install libyaml-0-2 libcurl4).

    Shell completion (kubectl 1.26+): krew does not put completion helpers on
    PATH; link the one shipped with the plugin:
      ln -s "\${KREW_ROOT:-\$HOME/.krew}/store/feast/v$version/kubectl_complete-feast" \\
        "\${KREW_ROOT:-\$HOME/.krew}/bin/"
  platforms:
  - selector:
      matchLabels:
        os: $os
        arch: $arch
    uri: $uri
    sha256: $sha
    files:
YAML
	for f in $files; do
		printf '    - from: %s\n      to: .\n' "$f"
	done
	printf '    bin: kubectl-feast\n'
} >"$out.tmp"
mv "$out.tmp" "$out"

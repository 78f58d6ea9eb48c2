#!/bin/sh
# krew.sh VERSION RELEASE_URL OUT ARCHIVE... -- the krew Plugin manifest of ARCHIVEs, one
# platform each (os and arch read from the name, kubectl-feast_<version>_<os>_<arch>.tar.gz).
#
# Each platform's `files` lists what its archive holds (read from it, so the two cannot
# disagree), `sha256` is the archive's own; RELEASE_URL/<archive name> is where the release
# will serve it.  The text is written in a fixed order, so the same archives give the same
# manifest.
set -eu
version=$1 release=$2 out=$3
shift 3
homepage=${PROJECT_URL:?PROJECT_URL must be set}
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
    The binary is built for glibc 2.34 or later and links libyaml and libcurl
    dynamically (Debian 12, Ubuntu 22.04, RHEL 9, Amazon Linux 2023 and later:
    apt install libyaml-0-2 libcurl4). Not for musl (Alpine).

    Shell completion (kubectl 1.26+): krew does not put completion helpers on
    PATH; link the one shipped with the plugin:
      ln -s "\${KREW_ROOT:-\$HOME/.krew}/store/feast/v$version/kubectl_complete-feast" \\
        "\${KREW_ROOT:-\$HOME/.krew}/bin/"
  platforms:
YAML
	for archive in "$@"; do
		name=$(basename "$archive" .tar.gz)
		arch=${name##*_}
		os=${name%_*}
		os=${os##*_}
		cat <<YAML
  - selector:
      matchLabels:
        os: $os
        arch: $arch
    uri: $release/$(basename "$archive")
    sha256: $(sha256sum "$archive" | cut -d' ' -f1)
    files:
YAML
		for f in $(tar -tzf "$archive" | LC_ALL=C sort); do
			printf '    - from: %s\n      to: .\n' "$f"
		done
		printf '    bin: kubectl-feast\n'
	done
} >"$out.tmp"
mv "$out.tmp" "$out"

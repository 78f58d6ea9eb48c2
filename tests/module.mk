# tests/module.mk -- what the end-to-end tests need besides the programs: the real
# Kubernetes control plane of tests/cluster/, built from its pinned Go modules once per
# machine into a cache (tests/cluster/build.sh says where); later runs reuse it.

cluster-bin:
	@tests/cluster/build.sh >/dev/null

.PHONY: cluster-bin

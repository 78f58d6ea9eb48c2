# tests/module.mk -- what the end-to-end tests need besides the programs: the real
# Kubernetes control plane of tests/cluster/, built from its pinned Go modules once per
# machine into a cache (tests/cluster/build.sh says where); later runs reuse it.

cluster-bin:
	@tests/cluster/build.sh >/dev/null

.PHONY: cluster-bin

# make golden-update: every script that pins golden files (it uses tests/golden.sh or reads
# GOLDEN_UPDATE) runs with GOLDEN_UPDATE=1 and rewrites them, in one run-scripts.sh run;
# then git lists what changed, for review before a commit says why.
GOLDEN_SCRIPTS = $(sort $(notdir $(shell grep -l -e GOLDEN_UPDATE -e tests/golden.sh tests/scripts/*.sh)))

golden-update: $(PROGRAMS) cluster-bin
	@GOLDEN_UPDATE=1 FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		tests/run-scripts.sh $(GOLDEN_SCRIPTS)
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
		echo "golden files that differ from the commit:"; \
		git status --short --untracked-files=all -- golden docs/gitops; \
	fi

.PHONY: golden-update

# bench/module.mk -- `make bench`: speed and memory against peers, as ratios.
# Not a test: nothing here fails the build when a goal is missed; it reports.

$(O)/bench/measure: bench/measure.c
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -o $@ $<

bench:: all $(O)/bench/measure
	@FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		bench/render.sh $(BENCH_ARGS)
	@echo "(apply against kubectl on real control planes: make bench-apply, about 40 minutes)"

.PHONY: bench

# `kubectl feast apply` against `kubectl apply --server-side` on real control planes
# (bench/apply.sh; starts a new one per timed run with tests/cluster/up.sh, so it needs what
# `make scripts` builds for the cluster tests): 1, 10 and 100 stores, first apply and no-op
# re-apply, on loopback and behind a round trip.  About 40 minutes, so `make bench` does not
# run it: `make bench-apply` (BENCH_SIZES, BENCH_RTTS, BENCH_ROUNDS narrow it).
bench-apply: all
	@FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		bench/apply.sh $(BENCH_ARGS)

.PHONY: bench-apply

# `kubectl feast diff` and `apply --dry-run=server` of stores already applied against
# `kubectl diff --server-side` (bench/diff.sh; a real control plane, as bench-apply):
# BENCH_STORES (20), BENCH_OLD_FEAST=another build to time before/after a change.
bench-diff: all
	@FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		bench/diff.sh $(BENCH_ARGS)

.PHONY: bench-diff

# The lost-update benchmark of Feast's registry (bench/feast-registry.sh): minutes of
# Feast CLI runs, so not part of `make bench`.
bench-feast-registry: all
	@FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		bench/feast-registry.sh $(BENCH_ARGS)

.PHONY: bench-feast-registry

# Wall time of a sharded materialization run with real Feast at 1, 2 and 4 shards
# (bench/feast-materialize.sh): minutes of Feast CLI runs, so not part of `make bench`.
bench-feast-materialize: all
	@FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		bench/feast-materialize.sh $(BENCH_ARGS)

.PHONY: bench-feast-materialize

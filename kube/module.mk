# kube/module.mk -- kubectl-lite, the kube client's test driver (built for the tests, never installed).
KUBE_LITE := $(O)/kubectl-lite
KUBE_LITE_OBJ := $(O)/tests/kubectl-lite/kubectl-lite.o

$(KUBE_LITE): $(KUBE_LITE_OBJ) $(O)/libfeast.a
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $(KUBE_LITE_OBJ) $(O)/libfeast.a $(LIBS)

scripts: $(KUBE_LITE)

-include $(KUBE_LITE_OBJ:.o=.d)

# ---- fuzzing what the client reads (kubeconfigs, Status bodies, watch lines) ----
# The saved inputs in tests/fuzz/kube-regressions/ replay in `make scripts` through the
# same entry point (tests/scripts/kube_fuzz_regressions.sh); `make fuzz-kube` runs libFuzzer.

KUBE_FUZZ_REPLAY := $(O)/tests/fuzz_kube_replay
KUBE_FUZZ_OBJ := $(O)/tests/fuzz/fuzz_kube.o

$(KUBE_FUZZ_REPLAY): $(O)/tests/fuzz/replay.o $(KUBE_FUZZ_OBJ) $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $(O)/tests/fuzz/replay.o $(KUBE_FUZZ_OBJ) $(O)/libfeast.a $(LIBS)

scripts: $(KUBE_FUZZ_REPLAY)

KUBE_FUZZ_O := build/fuzz
KUBE_FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
KUBE_FUZZ_SECONDS ?= 60

fuzz-kube: deps
	@$(MAKE) --no-print-directory O=$(KUBE_FUZZ_O) CC=clang OPTIMIZATION=-O1 \
		CFLAGS="-O1 -g $(KUBE_FUZZ_SAN) -fsanitize=fuzzer-no-link" LDFLAGS="$(KUBE_FUZZ_SAN)" \
		$(KUBE_FUZZ_O)/fuzz_kube
	@mkdir -p $(KUBE_FUZZ_O)/kube-corpus $(KUBE_FUZZ_O)/kube-artifacts
	@cp tests/fuzz/kube-regressions/* $(KUBE_FUZZ_O)/kube-corpus/
	$(KUBE_FUZZ_O)/fuzz_kube -max_total_time=$(KUBE_FUZZ_SECONDS) -max_len=16384 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix=$(KUBE_FUZZ_O)/kube-artifacts/ $(KUBE_FUZZ_O)/kube-corpus

$(KUBE_FUZZ_O)/fuzz_kube: $(KUBE_FUZZ_O)/tests/fuzz/fuzz_kube.o $(KUBE_FUZZ_O)/libfeast.a
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(KUBE_FUZZ_O)/libfeast.a $(LIBS)

.PHONY: fuzz-kube
-include $(KUBE_FUZZ_OBJ:.o=.d)

# ---- fuzzing the exec plugin's stdout and discovery documents ----
# One entry point each (tests/fuzz/fuzz_exec.c, fuzz_discovery.c); their seeds and the
# crashes they found live in tests/fuzz/<target>-regressions/ and replay in `make scripts`
# (tests/scripts/fuzz_targets_regressions.sh).  `make fuzz-exec FUZZ_SECONDS=600`.

KUBE_FUZZ_MORE := exec discovery
KUBE_FUZZ_MORE_REPLAY := $(KUBE_FUZZ_MORE:%=$(O)/tests/fuzz_%_replay)
FUZZ_SECONDS ?= 60

$(KUBE_FUZZ_MORE_REPLAY): $(O)/tests/fuzz_%_replay: $(O)/tests/fuzz/replay.o $(O)/tests/fuzz/fuzz_%.o $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $(O)/tests/fuzz/replay.o $(O)/tests/fuzz/fuzz_$*.o $(O)/libfeast.a $(LIBS)

scripts: $(KUBE_FUZZ_MORE_REPLAY)

$(KUBE_FUZZ_MORE:%=fuzz-%): fuzz-%: deps
	@$(MAKE) --no-print-directory O=$(KUBE_FUZZ_O) CC=clang OPTIMIZATION=-O1 \
		CFLAGS="-O1 -g $(KUBE_FUZZ_SAN) -fsanitize=fuzzer-no-link" LDFLAGS="$(KUBE_FUZZ_SAN)" \
		$(KUBE_FUZZ_O)/fuzz_$*
	@mkdir -p $(KUBE_FUZZ_O)/$*-corpus $(KUBE_FUZZ_O)/$*-artifacts
	@cp tests/fuzz/$*-regressions/* $(KUBE_FUZZ_O)/$*-corpus/
	$(KUBE_FUZZ_O)/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix=$(KUBE_FUZZ_O)/$*-artifacts/ $(KUBE_FUZZ_O)/$*-corpus

$(KUBE_FUZZ_MORE:%=$(KUBE_FUZZ_O)/fuzz_%): $(KUBE_FUZZ_O)/fuzz_%: $(KUBE_FUZZ_O)/tests/fuzz/fuzz_%.o \
		$(KUBE_FUZZ_O)/libfeast.a
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(KUBE_FUZZ_O)/libfeast.a $(LIBS)

.PHONY: $(KUBE_FUZZ_MORE:%=fuzz-%)
-include $(KUBE_FUZZ_MORE:%=$(O)/tests/fuzz/fuzz_%.d)

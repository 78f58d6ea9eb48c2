# sidecar/module.mk -- feast-sidecar, its static lock client, and the sidecar's tests.
#
# Each program's sources are globs.  sidecar/*.c is in both programs (the
# lock client: lock, status, check, version, the wrapper, the socket
# protocol); sidecar/daemon/*.c only in bin/feast-sidecar (dynamic, libcurl:
# the daemon, the Lease client, readiness, `run`); sidecar/static/*.c only in
# bin/feast-lock, which only speaks to the daemon's socket (lock_local.h is
# the part of `lock` that differs).  Both of the first two go, without
# feast-sidecar's main, into $(O)/libsidecar.a, linked into the unit tests
# named test_lease_*, test_sidecar_* and test_ready_*.  feast-lock is linked
# statically, never built with sanitizers (a static binary cannot carry
# ASan's runtime), so it ignores CFLAGS and LDFLAGS; of lib/ it takes only
# what it calls, from an archive of its own.

SIDECAR_LIB_SRC := $(filter-out $(SIDECAR_MAIN),$(wildcard sidecar/*.c sidecar/daemon/*.c))
SIDECAR_LIB_OBJ := $(SIDECAR_LIB_SRC:%.c=$(O)/%.o)
SIDECAR_LIBS := -pthread

LOCK_STATIC_SRC := $(wildcard sidecar/*.c sidecar/static/*.c)
LOCK_STATIC_OBJ := $(LOCK_STATIC_SRC:%.c=$(O)/static/%.o)
LOCK_STATIC_LIB_OBJ := $(patsubst %.c,$(O)/static/%.o,$(wildcard lib/*.c))
LOCK_STATIC_CFLAGS := -std=c11 $(WARN) $(DEFS) $(INCLUDES) -Os -g -ffunction-sections -fdata-sections

ifneq ($(wildcard $(SIDECAR_MAIN)),)
PROGRAMS += $(BIN)/feast-sidecar
endif
ifneq ($(wildcard sidecar/static/lock_main.c),)
PROGRAMS += $(BIN)/feast-lock
endif

$(O)/libsidecar.a: $(SIDECAR_LIB_OBJ)
	$(quiet) AR $@
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BIN)/feast-sidecar: $(SIDECAR_MAIN:%.c=$(O)/%.o) $(O)/libsidecar.a $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(O)/libsidecar.a $(O)/libfeast.a $(LIBS) $(SIDECAR_LIBS)

$(O)/static/%.o: %.c
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LOCK_STATIC_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/static/liblib.a: $(LOCK_STATIC_LIB_OBJ)
	$(quiet) AR $@
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BIN)/feast-lock: $(LOCK_STATIC_OBJ) $(O)/static/liblib.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -static -s -Wl,--gc-sections -o $@ $^

$(O)/tests/test_lease_%: $(O)/tests/unit/test_lease_%.o $(O)/libsidecar.a $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(O)/libsidecar.a $(O)/libfeast.a $(LIBS) -lcriterion $(SIDECAR_LIBS) -lm

$(O)/tests/test_sidecar_%: $(O)/tests/unit/test_sidecar_%.o $(O)/libsidecar.a $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(O)/libsidecar.a $(O)/libfeast.a $(LIBS) -lcriterion $(SIDECAR_LIBS)

# Readiness: the state machine and the checks of the local servers.
$(O)/tests/test_ready_%: $(O)/tests/unit/test_ready_%.o $(O)/libsidecar.a $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(O)/libsidecar.a $(O)/libfeast.a $(LIBS) -lcriterion $(SIDECAR_LIBS)

-include $(LOCK_STATIC_OBJ:.o=.d) $(LOCK_STATIC_LIB_OBJ:.o=.d)

# `make soak`: the long forms -- the model over thousands of random
# schedules, and the sidecar scripts with 100 acquisitions per contender,
# 100 fault rounds, 20 takeover rounds.  Double-colon, so other modules can
# add their own soak recipes.
soak:: all $(O)/tests/test_lease_model
	@echo "  SOAK    lease model"
	@FEAST_MODEL_SEEDS=3000 $(O)/tests/test_lease_model --jobs=2 --short-filename
	@SIDECAR_SOAK=1 $(MAKE) --no-print-directory scripts SCRIPT_FILTER=sidecar_

.PHONY: soak

# `make fuzz-sidecar`: libFuzzer on the JSON the sidecar reads (Lease, Pod,
# Status), with ASan and UBSan; the corpus grows in $(O)/fuzz/corpus.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SIDECAR_SRC := tests/fuzz/fuzz_sidecar_json.c sidecar/daemon/kjson.c kube/kube_status.c lib/json.c lib/doc.c \
	lib/arena.c lib/buf.c lib/diag.c

$(O)/fuzz/fuzz_sidecar_json: $(FUZZ_SIDECAR_SRC)
	$(quiet) FUZZCC $@
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$(DEFS) $(INCLUDES) -o $@ $^

fuzz-sidecar: $(O)/fuzz/fuzz_sidecar_json
	@mkdir -p $(O)/fuzz/corpus
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $(O)/fuzz/corpus tests/fuzz/corpus/sidecar_json

.PHONY: fuzz-sidecar

# `make bench`: the sidecar's footprint and API load (bench/sidecar.sh).
bench:: all
	@FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		bench/sidecar.sh

# The readiness simulation's long form: ten rounds of the rolling update.
soak:: all
	@echo "  SOAK    readiness"
	@SIDECAR_SOAK=1 $(MAKE) --no-print-directory scripts SCRIPT_FILTER=ready_

# The socket protocol (proto.c) and the loopback HTTP (httpd.c), one entry point each
# (tests/fuzz/fuzz_proto.c, fuzz_httpd.c), built like fuzz-kube: the saved inputs in
# tests/fuzz/<target>-regressions/ replay in `make scripts`; `make fuzz-proto
# FUZZ_SECONDS=600` runs libFuzzer in build/fuzz.
SIDECAR_FUZZ := proto httpd
SIDECAR_FUZZ_REPLAY := $(SIDECAR_FUZZ:%=$(O)/tests/fuzz_%_replay)
SIDECAR_FUZZ_O := build/fuzz
SIDECAR_FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

$(SIDECAR_FUZZ_REPLAY): $(O)/tests/fuzz_%_replay: $(O)/tests/fuzz/replay.o $(O)/tests/fuzz/fuzz_%.o \
		$(O)/libsidecar.a $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $(O)/tests/fuzz/replay.o $(O)/tests/fuzz/fuzz_$*.o \
		$(O)/libsidecar.a $(O)/libfeast.a $(LIBS) $(SIDECAR_LIBS)

scripts: $(SIDECAR_FUZZ_REPLAY)

$(SIDECAR_FUZZ:%=fuzz-%): fuzz-%: deps
	@$(MAKE) --no-print-directory O=$(SIDECAR_FUZZ_O) CC=clang OPTIMIZATION=-O1 \
		CFLAGS="-O1 -g $(SIDECAR_FUZZ_SAN) -fsanitize=fuzzer-no-link" LDFLAGS="$(SIDECAR_FUZZ_SAN)" \
		$(SIDECAR_FUZZ_O)/fuzz_$*
	@mkdir -p $(SIDECAR_FUZZ_O)/$*-corpus $(SIDECAR_FUZZ_O)/$*-artifacts
	@cp tests/fuzz/$*-regressions/* $(SIDECAR_FUZZ_O)/$*-corpus/
	$(SIDECAR_FUZZ_O)/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix=$(SIDECAR_FUZZ_O)/$*-artifacts/ $(SIDECAR_FUZZ_O)/$*-corpus

$(SIDECAR_FUZZ:%=$(SIDECAR_FUZZ_O)/fuzz_%): $(SIDECAR_FUZZ_O)/fuzz_%: $(SIDECAR_FUZZ_O)/tests/fuzz/fuzz_%.o \
		$(SIDECAR_FUZZ_O)/libsidecar.a $(SIDECAR_FUZZ_O)/libfeast.a
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(SIDECAR_FUZZ_O)/libsidecar.a \
		$(SIDECAR_FUZZ_O)/libfeast.a $(LIBS) $(SIDECAR_LIBS)

.PHONY: $(SIDECAR_FUZZ:%=fuzz-%)
-include $(SIDECAR_FUZZ:%=$(O)/tests/fuzz/fuzz_%.d)

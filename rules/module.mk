# rules/module.mk -- embedded CRD schemas, validation tests, fuzzing.
#
# tools/crdgen compiles every data/crds/*.yaml into C tables ($(O)/gen/crds.c);
# it links the same schema builder and regex code the binary uses, so a CRD
# the checker could not honour fails the build.

CRD_FILES := $(sort $(wildcard data/crds/*.yaml))
CRDGEN_OBJ := $(O)/tools/crdgen.o $(O)/rules/schema_build.o $(O)/rules/regex.o \
	$(addprefix $(O)/lib/,arena.o buf.o diag.o doc.o json.o yaml_in.o)

GEN_SRC += $(O)/gen/crds.c

$(O)/tools/crdgen: $(CRDGEN_OBJ)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $^ -lyaml

$(O)/gen/crds.c: $(CRDGEN) $(CRD_FILES)
	$(quiet) GEN $@
	@mkdir -p $(dir $@)
	$(Q)$(CRDGEN) $(CRD_FILES) > $@.tmp 2>$@.log || { cat $@.log >&2; rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@


# ---- fuzz-regression replay: every file in tests/fuzz/regressions/ through
# the fuzz entry point, built like the rest (gcc, or ASan under check-asan).

FUZZ_REPLAY := $(O)/tests/fuzz_replay

$(FUZZ_REPLAY): $(O)/tests/fuzz/replay.o $(O)/tests/fuzz/fuzz_validate.o $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $(O)/tests/fuzz/replay.o $(O)/tests/fuzz/fuzz_validate.o \
		$(O)/libfeast.a $(LIBS)

scripts: $(FUZZ_REPLAY)

# ---- libFuzzer: make fuzz FUZZ_SECONDS=600 (clang; its own build tree) ----

FUZZ_SECONDS ?= 60
FUZZ_O := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SEEDS := $(sort $(wildcard testdata/*.yaml testdata/bad/*.yaml examples/*.yaml \
	testdata/operator/samples/*.yaml testdata/operator/testdata/*.yaml \
	tests/fuzz/regressions/*))

fuzz: deps
	@$(MAKE) --no-print-directory O=$(FUZZ_O) CC=clang OPTIMIZATION=-O1 \
		CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" LDFLAGS="$(FUZZ_SAN)" $(FUZZ_O)/fuzz_validate
	@mkdir -p $(FUZZ_O)/corpus $(FUZZ_O)/artifacts
	@cp $(FUZZ_SEEDS) $(FUZZ_O)/corpus/ 2>/dev/null || true
	$(FUZZ_O)/fuzz_validate -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=$(FUZZ_O)/artifacts/ $(FUZZ_O)/corpus

$(FUZZ_O)/fuzz_validate: $(FUZZ_O)/tests/fuzz/fuzz_validate.o $(FUZZ_O)/libfeast.a
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(FUZZ_O)/libfeast.a $(LIBS)

.PHONY: fuzz
-include $(O)/tools/crdgen.d $(O)/tests/fuzz/fuzz_validate.d $(O)/tests/fuzz/replay.d

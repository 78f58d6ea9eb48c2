# kubectl-feast -- build, test and package.  `make V=1` shows the commands.
#
# Each source folder's *.c files are picked up by wildcard; a folder with
# special needs (generated sources, extra binaries) adds a <folder>/module.mk.

VERSION := $(shell cat VERSION)
REVISION := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

CC ?= cc
O ?= build
BIN ?= bin
PREFIX ?= /usr/local
DESTDIR ?=

OPTIMIZATION ?= -O2
CFLAGS ?= $(OPTIMIZATION) -g
WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
DEFS := -D_GNU_SOURCE -DFEAST_VERSION='"$(VERSION)"' -DFEAST_REVISION='"$(REVISION)"'
# lib/banned.h goes into every file compiled, so a banned libc call (strcpy, sprintf, ...)
# fails the build where it is written.
INCLUDES := -Ilib -Ikube -Irules -Irender -Icluster -Iplugin -Isidecar -Isidecar/daemon -I$(O)/gen -include lib/banned.h
ALL_CFLAGS := -std=c11 $(WARN) $(DEFS) $(INCLUDES) $(CFLAGS)
LDFLAGS ?=
ALL_LDFLAGS := -Wl,--as-needed $(LDFLAGS)
LIBS := -lyaml -lcurl -lssl -lcrypto -lm
# kubectl-feast opens libcurl itself, and only for the commands that talk to a cluster:
# render and validate never load it (kube/dl/curl_dl.c says why).
PLUGIN_LIBS := -lyaml -lm

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

.DEFAULT_GOAL := all

# Sources shared by both programs go into one static library.
CORE_SRC := $(wildcard lib/*.c kube/*.c rules/*.c render/*.c)
GEN_SRC :=
# The cluster library (what apply, diff, delete, scale and status do to a cluster) has an
# archive of its own, which kubectl-feast and the unit tests link.
CLUSTER_SRC := $(wildcard cluster/*.c)
PLUGIN_SRC := $(wildcard plugin/*.c)
SIDECAR_SRC := $(wildcard sidecar/*.c sidecar/daemon/*.c)
# feast-sidecar's main(): named here, before any module.mk, since packaging/ links it too.
SIDECAR_MAIN := sidecar/daemon/sidecar_main.c
UNIT_SRC := $(wildcard tests/unit/test_*.c)

PROGRAMS := $(BIN)/kubectl-feast

# The generators run on the build machine: a cross build (packaging/module.mk) points these
# at the native build's tools, whose output is the same C text on every target.
EMBED ?= $(O)/tools/embed
CRDGEN ?= $(O)/tools/crdgen

-include $(wildcard */module.mk)

CORE_OBJ := $(CORE_SRC:%.c=$(O)/%.o) $(GEN_SRC:%.c=%.o)
CLUSTER_OBJ := $(CLUSTER_SRC:%.c=$(O)/%.o)
PLUGIN_OBJ := $(PLUGIN_SRC:%.c=$(O)/%.o) $(O)/kube/dl/curl_dl.o
SIDECAR_OBJ := $(SIDECAR_SRC:%.c=$(O)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
ALL_OBJ := $(CORE_OBJ) $(CLUSTER_OBJ) $(PLUGIN_OBJ) $(SIDECAR_OBJ) $(UNIT_SRC:%.c=$(O)/%.o)

all: $(PROGRAMS)

$(O)/%.o: %.c
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/gen/%.o: $(O)/gen/%.c
	$(quiet) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/tools/embed: tools/embed.c
	$(quiet) CC $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 $(WARN) -O2 -o $@ $<

$(O)/libfeast.a: $(CORE_OBJ)
	$(quiet) AR $@
	@rm -f $@
	$(Q)ar rcs $@ $^

$(O)/libcluster.a: $(CLUSTER_OBJ)
	$(quiet) AR $@
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BIN)/kubectl-feast: $(PLUGIN_OBJ) $(O)/libcluster.a $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $(PLUGIN_OBJ) $(O)/libcluster.a $(O)/libfeast.a $(PLUGIN_LIBS)

$(O)/tests/%: $(O)/tests/unit/%.o $(O)/libcluster.a $(O)/libfeast.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(O)/libcluster.a $(O)/libfeast.a $(LIBS) -lcriterion

-include $(ALL_OBJ:.o=.d)

# ---- dependencies, tests ----

deps:
	@scripts/deps.sh

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
		echo "  UNIT    $$t"; \
		FEAST_SOURCE_DIR=$(CURDIR) $$t --jobs=2 --short-filename $(CRITERION_FLAGS) || exit 1; \
	done

scripts: $(PROGRAMS) cluster-bin
	@FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) FEAST_SANITIZED=$(FEAST_SANITIZED) \
		tests/run-scripts.sh $(SCRIPT_FILTER)

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory scripts

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
check-asan: deps
	@$(MAKE) --no-print-directory O=build/asan BIN=build/asan/bin \
		OPTIMIZATION=-O1 LDFLAGS="$(SAN)" CFLAGS="-O1 -g $(SAN)" \
		CRITERION_FLAGS="--jobs=1" FEAST_SANITIZED=1 all unit scripts

run: deps all
	$(BIN)/kubectl-feast render -f examples/featurestore-ha.yaml

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build bin

.PHONY: all deps unit scripts test check-asan run install clean
# Keep generated sources and test objects between runs.
.SECONDARY:

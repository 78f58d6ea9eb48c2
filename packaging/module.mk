# packaging/module.mk -- release artifacts, all reproducible from one commit.
#
#   make man    $(DIST)/man/kubectl-feast.1 (and feast-sidecar.1), from the programs' own
#               command and option tables (`kubectl-feast __man`, `feast-sidecar __man`)
#   make dist   $(DIST)/kubectl-feast_<version>_<os>_<arch>.tar.gz: plugin, completion
#               helper, man page, LICENSE, README; PLATFORM=linux/arm64 (or linux/amd64)
#               picks the target, this machine's by default
#   make krew   plugins/feast.yaml, the krew Plugin manifest of the archives of every
#               platform in PLATFORMS
#   make image  $(DIST)/feast-sidecar-<version>.oci.tar, the sidecar's OCI image (umoci, skopeo)
#
# Timestamps come from SOURCE_DATE_EPOCH, the commit time by default, so the
# same commit gives the same bytes.  PROJECT_URL is the homepage; RELEASE_URL
# is where a release serves the archive (the krew manifest's uri).
#
# A foreign platform is built by a second make in $(O)/cross/<arch> with Debian's cross
# compiler (CROSS_<arch>gcc) and multiarch libraries, both installed by scripts/deps.sh;
# the generators it needs run from this machine's build.  Its objects stay there, so a
# second `make dist` only relinks what changed.

DIST ?= dist
PROJECT_URL ?= https://github.com/kubectl-feast/kubectl-feast
RELEASE_URL ?= $(PROJECT_URL)/releases/download/v$(VERSION)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
IMAGE_REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
HOST_ARCH := $(patsubst x86_64,amd64,$(patsubst aarch64,arm64,$(shell uname -m)))
PLATFORM ?= linux/$(HOST_ARCH)
PLATFORMS ?= linux/amd64 linux/arm64
PKG_OS := $(firstword $(subst /, ,$(PLATFORM)))
PKG_ARCH := $(notdir $(PLATFORM))
PKG_ARCHES := $(sort $(notdir $(PLATFORMS)) $(PKG_ARCH))
PKG_ENV := SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) PROJECT_URL=$(PROJECT_URL)
CROSS_amd64 := x86_64-linux-gnu-
CROSS_arm64 := aarch64-linux-gnu-
CROSS_CFLAGS ?= -O2 -g

# pkg_bin ARCH: the folder of ARCH's programs; pkg_archive ARCH: its plugin archive.
pkg_bin = $(if $(filter $(1),$(HOST_ARCH)),$(BIN),$(O)/cross/$(1)/bin)
pkg_archive = $(DIST)/kubectl-feast_$(VERSION)_$(PKG_OS)_$(1).tar.gz
DIST_ARCHIVE := $(call pkg_archive,$(PKG_ARCH))
KREW_ARCHIVES := $(foreach p,$(PLATFORMS),$(call pkg_archive,$(notdir $(p))))
KREW_MANIFEST ?= plugins/feast.yaml
SIDECAR_IMAGE := $(DIST)/feast-sidecar-$(VERSION).oci.tar
MAN_DATE = $(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%d)

MAN_PAGES := $(DIST)/man/kubectl-feast.1
ifneq ($(wildcard sidecar/main.c),)
MAN_PAGES += $(DIST)/man/feast-sidecar.1
endif

man: $(MAN_PAGES)

$(DIST)/man/%.1: $(BIN)/%
	$(quiet) MAN $@
	@mkdir -p $(dir $@)
	$(Q)$< __man $(MAN_DATE) >$@.tmp && mv $@.tmp $@

dist: $(DIST_ARCHIVE)

# The man page comes from this machine's build: the tables it prints are the same everywhere.
DIST_COMMON := packaging/kubectl_complete-feast $(DIST)/man/kubectl-feast.1 LICENSE README.md

# The archive of one architecture, stripped with that architecture's binutils.
define PKG_ARCHIVE_RULE
$(call pkg_archive,$(1)): $(call pkg_bin,$(1))/kubectl-feast $(DIST_COMMON) packaging/dist.sh VERSION
	$$(quiet) TAR $$@
	$$(Q)$$(PKG_ENV) STRIP=$(CROSS_$(1))strip packaging/dist.sh $$@ $(call pkg_bin,$(1))/kubectl-feast \
		$(DIST_COMMON)
endef
$(foreach a,$(PKG_ARCHES),$(eval $(call PKG_ARCHIVE_RULE,$(a))))

# A foreign architecture's programs: the sub-make decides what is out of date.  CFLAGS and
# LDFLAGS are reset, so a sanitizer build's flags (which the cross runtime lacks) stay out.
define PKG_CROSS_RULE
$(addprefix $(O)/cross/$(1)/bin/,kubectl-feast feast-sidecar feast-lock): cross-$(1) ; @:
cross-$(1): $$(EMBED) $$(CRDGEN)
	$$(quiet) CROSS $(1)
	$$(Q)$$(MAKE) -s --no-print-directory O=$(O)/cross/$(1) BIN=$(O)/cross/$(1)/bin CC=$(CROSS_$(1))gcc \
		OPTIMIZATION=-O2 CFLAGS="$$(CROSS_CFLAGS)" LDFLAGS= EMBED=$$(abspath $$(EMBED)) \
		CRDGEN=$$(abspath $$(CRDGEN)) \
		$(addprefix $(O)/cross/$(1)/bin/,kubectl-feast feast-sidecar feast-lock)
.PHONY: cross-$(1)
endef
$(foreach a,$(filter-out $(HOST_ARCH),$(PKG_ARCHES)),$(eval $(call PKG_CROSS_RULE,$(a))))

krew: $(KREW_MANIFEST)

$(KREW_MANIFEST): $(KREW_ARCHIVES) packaging/krew.sh
	$(quiet) KREW $@
	$(Q)$(PKG_ENV) packaging/krew.sh $(VERSION) $(RELEASE_URL) $@ $(KREW_ARCHIVES)

# The image needs the daemon and the static lock client (sidecar/module.mk).
image: $(SIDECAR_IMAGE)

$(SIDECAR_IMAGE): $(BIN)/feast-sidecar $(BIN)/feast-lock packaging/image.sh VERSION
	$(quiet) IMAGE $@
	$(Q)$(PKG_ENV) REVISION=$(IMAGE_REVISION) packaging/image.sh $@ $(VERSION) $(BIN)/feast-sidecar \
		$(BIN)/feast-lock

# `make install` also puts the completion helper next to the plugin and the man pages
# under share/man (a prerequisite of install, so the top Makefile's recipe stays as it is).
install: install-pkg

install-pkg: $(PROGRAMS) $(MAN_PAGES)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 packaging/kubectl_complete-feast $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man1/

.PHONY: man dist krew image install-pkg

# make golden-update also rewrites what the GitOps recipes commit (docs/gitops/*/ render
# output) and the Flux case's stderr: tests/scripts/gitops_*.sh with GOLDEN_UPDATE=1.
golden-update:: $(PROGRAMS)
	@GOLDEN_UPDATE=1 FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		tests/run-scripts.sh gitops_

clean: clean-pkg

clean-pkg:
	rm -rf $(DIST) $(dir $(KREW_MANIFEST))

.PHONY: clean-pkg

# packaging/module.mk -- release artifacts, all reproducible from one commit.
#
#   make man    $(DIST)/man/kubectl-feast.1 (and feast-sidecar.1), from the programs' own
#               command and option tables (`kubectl-feast __man`, `feast-sidecar __man`)
#   make dist   $(DIST)/kubectl-feast_<version>_<os>_<arch>.tar.gz: plugin, completion
#               helper, man page, LICENSE, README; PLATFORM=linux/arm64 (or linux/amd64)
#               picks the target, this machine's by default
#   make krew   plugins/feast.yaml, the krew Plugin manifest of the archives of every
#               platform in PLATFORMS
#   make image  $(DIST)/feast-sidecar-<version>.oci.tar, the sidecar's OCI image index, one
#               manifest per platform in PLATFORMS (umoci, skopeo)
#   make cmp-image  $(DIST)/kubectl-feast-cmp-<version>.oci.tar, the Argo CD plugin image
#
# Timestamps come from SOURCE_DATE_EPOCH, the commit time by default, so the
# same commit gives the same bytes.  PROJECT_URL is the homepage; RELEASE_URL
# is where a release serves the archive (the krew manifest's uri).
#
# A foreign platform is built by a second make in $(CROSS_O)/<arch> (build/cross/<arch>)
# with Debian's cross compiler (CROSS_<arch>gcc) and multiarch libraries, both installed by
# scripts/deps.sh; the images are built from such release trees for every platform.  Their
# objects stay there and the static libcurl stays in ~/.cache/kubectl-feast/curl, so a
# second run only relinks what changed (cold: two trees, about 20 s of CPU each, and
# libcurl with nghttp2, about 70 s of CPU per platform).

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
CROSS_O ?= build/cross

# pkg_bin ARCH: the folder of ARCH's programs; pkg_archive ARCH: its plugin archive.
pkg_bin = $(if $(filter $(1),$(HOST_ARCH)),$(BIN),$(CROSS_O)/$(1)/bin)
pkg_archive = $(DIST)/kubectl-feast_$(VERSION)_$(PKG_OS)_$(1).tar.gz
DIST_ARCHIVE := $(call pkg_archive,$(PKG_ARCH))
KREW_ARCHIVES := $(foreach p,$(PLATFORMS),$(call pkg_archive,$(notdir $(p))))
KREW_MANIFEST ?= plugins/feast.yaml
SIDECAR_IMAGE := $(DIST)/feast-sidecar-$(VERSION).oci.tar
MAN_DATE = $(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%d)

MAN_PAGES := $(DIST)/man/kubectl-feast.1
ifneq ($(wildcard sidecar/daemon/sidecar_main.c),)
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

# Release builds, one tree per architecture under $(CROSS_O) (this machine's too, for the
# image): a sub-make decides what is out of date.  CFLAGS and LDFLAGS are reset, so a
# sanitizer build's flags stay out and `make check-asan` reuses the same trees.  The
# foreign trees run the generators of this machine's tree.
CROSS_SUBMAKE = $(MAKE) -s --no-print-directory RELEASE_TREE=$(1) O=$(CROSS_O)/$(1) BIN=$(CROSS_O)/$(1)/bin \
	CC=$(CROSS_$(1))gcc OPTIMIZATION=-O2 CFLAGS="$(CROSS_CFLAGS)" LDFLAGS= \
	$(if $(filter $(1),$(HOST_ARCH)),,EMBED=$(CROSS_O)/$(HOST_ARCH)/tools/embed \
		CRDGEN=$(CROSS_O)/$(HOST_ARCH)/tools/crdgen)
cross-tools:
	+$(Q)$(call CROSS_SUBMAKE,$(HOST_ARCH)) $(CROSS_O)/$(HOST_ARCH)/tools/embed $(CROSS_O)/$(HOST_ARCH)/tools/crdgen

# The static libcurl (and nghttp2, its HTTP/2) of the image's daemon (scripts/curl-static.sh),
# cached outside the tree by the script's hash; the script returns at once when that build
# is current.
CURL_CACHE ?= $(HOME)/.cache/kubectl-feast/curl
CURL_KEY := $(shell sha256sum scripts/curl-static.sh 2>/dev/null | cut -c1-12)
curl_dir = $(CURL_CACHE)/$(CURL_KEY)-$(1)

define PKG_CROSS_RULE
$(addprefix $(CROSS_O)/$(1)/bin/,kubectl-feast feast-sidecar feast-lock): cross-$(1) ; @:
cross-$(1): cross-tools
	$$(quiet) CROSS $(1)
	+$$(Q)$$(call CROSS_SUBMAKE,$(1)) $(addprefix $(CROSS_O)/$(1)/bin/,kubectl-feast feast-sidecar feast-lock)
$(call curl_dir,$(1))/lib/libcurl.a: curl-$(1) ; @:
curl-$(1):
	$$(Q)scripts/curl-static.sh $(1) $(call curl_dir,$(1))
$(addprefix $(CROSS_O)/$(1)/bin/,feast-sidecar.image): image-bin-$(1) ; @:
image-bin-$(1): cross-tools curl-$(1)
	+$$(Q)$$(call CROSS_SUBMAKE,$(1)) CURL_DIR=$(call curl_dir,$(1)) $(CROSS_O)/$(1)/bin/feast-sidecar.image \
		$(CROSS_O)/$(1)/bin/feast-lock
$(CROSS_O)/$(1)/bin/curl-probe: image-probe-$(1) ; @:
image-probe-$(1): cross-tools curl-$(1)
	+$$(Q)$$(call CROSS_SUBMAKE,$(1)) CURL_DIR=$(call curl_dir,$(1)) $(CROSS_O)/$(1)/bin/curl-probe
.PHONY: cross-$(1) curl-$(1) image-bin-$(1) image-probe-$(1)
endef
ifeq ($(RELEASE_TREE),)
$(foreach a,$(PKG_ARCHES),$(eval $(call PKG_CROSS_RULE,$(a))))
endif
.PHONY: cross-tools

# In a release tree: the image's daemon, with the static libcurl in place of Debian's, and
# the nghttp2 it calls after it.
ifneq ($(CURL_DIR),)
$(BIN)/feast-sidecar.image: $(SIDECAR_MAIN:%.c=$(O)/%.o) $(O)/libsidecar.a $(O)/libfeast.a $(CURL_DIR)/lib/libcurl.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(ALL_LDFLAGS) -Wl,--gc-sections -o $@ $< $(O)/libsidecar.a $(O)/libfeast.a \
		$(CURL_DIR)/lib/libcurl.a $(CURL_DIR)/lib/libnghttp2.a $(filter-out -lcurl,$(LIBS)) $(SIDECAR_LIBS)

# The tests' witness of those libraries (tests/scripts/pkg_image_http2.sh): one GET asking
# for HTTP/2, linked as the daemon is, since the daemon's own requests pin HTTP/1.1.
$(BIN)/curl-probe: tests/tools/curl_probe.c $(CURL_DIR)/lib/libcurl.a
	$(quiet) LINK $@
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 $(WARN) $(CFLAGS) -I$(CURL_DIR)/include -o $@ $< $(CURL_DIR)/lib/libcurl.a \
		$(CURL_DIR)/lib/libnghttp2.a -lssl -lcrypto -pthread
endif

krew: $(KREW_MANIFEST)

$(KREW_MANIFEST): $(KREW_ARCHIVES) packaging/krew.sh
	$(quiet) KREW $@
	$(Q)$(PKG_ENV) packaging/krew.sh $(VERSION) $(RELEASE_URL) $@ $(KREW_ARCHIVES)

# The image: one manifest per platform in PLATFORMS under one index, each from its release
# tree's daemon and lock client and the package data of the libraries linked into it.
IMAGE_ARCHES := $(notdir $(PLATFORMS))
image: $(SIDECAR_IMAGE)

IMAGE_TOOLS := packaging/rootfs-lib.sh packaging/oci-index.sh VERSION
$(SIDECAR_IMAGE): $(foreach a,$(IMAGE_ARCHES),$(CROSS_O)/$(a)/bin/feast-sidecar.image \
		$(CROSS_O)/$(a)/bin/feast-lock $(call curl_dir,$(a))/lib/libcurl.a) packaging/image.sh $(IMAGE_TOOLS)
	$(quiet) IMAGE $@
	$(Q)$(PKG_ENV) REVISION=$(IMAGE_REVISION) packaging/image.sh $@ $(VERSION) \
		$(foreach a,$(IMAGE_ARCHES),$(a):$(CROSS_O)/$(a)/bin:$(call curl_dir,$(a))/status.d)

# The Argo CD plugin image (docs/gitops/argocd): kubectl-feast of each release tree, busybox
# for the plugin's shell commands, plugin.yaml.
CMP_IMAGE := $(DIST)/kubectl-feast-cmp-$(VERSION).oci.tar
cmp-image: $(CMP_IMAGE)

$(CMP_IMAGE): $(foreach a,$(IMAGE_ARCHES),$(CROSS_O)/$(a)/bin/kubectl-feast) docs/gitops/argocd/plugin.yaml \
		packaging/cmp-image.sh $(IMAGE_TOOLS)
	$(quiet) IMAGE $@
	$(Q)$(PKG_ENV) REVISION=$(IMAGE_REVISION) packaging/cmp-image.sh $@ $(VERSION) docs/gitops/argocd/plugin.yaml \
		$(foreach a,$(IMAGE_ARCHES),$(a):$(CROSS_O)/$(a)/bin)

# `make install` also puts the completion helper next to the plugin and the man pages
# under share/man (a prerequisite of install, so the top Makefile's recipe stays as it is).
install: install-pkg

install-pkg: $(PROGRAMS) $(MAN_PAGES)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 packaging/kubectl_complete-feast $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(PREFIX)/share/man/man1/

.PHONY: man dist krew image cmp-image install-pkg

clean: clean-pkg

clean-pkg:
	rm -rf $(DIST) $(dir $(KREW_MANIFEST))

.PHONY: clean-pkg

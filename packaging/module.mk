# packaging/module.mk -- release artifacts, all reproducible from one commit.
#
#   make man    $(DIST)/man/kubectl-feast.1 (and feast-sidecar.1), from the programs' own
#               command and option tables (`kubectl-feast __man`, `feast-sidecar __man`)
#   make dist   $(DIST)/kubectl-feast_<version>_<os>_<arch>.tar.gz: plugin, completion
#               helper, man page, LICENSE, README
#   make krew   plugins/feast.yaml, the krew Plugin manifest of that archive
#   make image  $(DIST)/feast-sidecar-<version>.oci.tar, the sidecar's OCI image (umoci, skopeo)
#
# Timestamps come from SOURCE_DATE_EPOCH, the commit time by default, so the
# same commit gives the same bytes.  PROJECT_URL is the homepage; RELEASE_URL
# is where a release serves the archive (the krew manifest's uri).

DIST ?= dist
PROJECT_URL ?= https://github.com/kubectl-feast/kubectl-feast
RELEASE_URL ?= $(PROJECT_URL)/releases/download/v$(VERSION)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
IMAGE_REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
PKG_OS := linux
PKG_ARCH := $(patsubst x86_64,amd64,$(patsubst aarch64,arm64,$(shell uname -m)))
PKG_ENV := SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) PROJECT_URL=$(PROJECT_URL)

DIST_ARCHIVE := $(DIST)/kubectl-feast_$(VERSION)_$(PKG_OS)_$(PKG_ARCH).tar.gz
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

DIST_FILES := $(BIN)/kubectl-feast packaging/kubectl_complete-feast $(DIST)/man/kubectl-feast.1 \
	LICENSE README.md

$(DIST_ARCHIVE): $(DIST_FILES) packaging/dist.sh VERSION
	$(quiet) TAR $@
	$(Q)$(PKG_ENV) packaging/dist.sh $@ $(DIST_FILES)

krew: $(KREW_MANIFEST)

$(KREW_MANIFEST): $(DIST_ARCHIVE) packaging/krew.sh
	$(quiet) KREW $@
	$(Q)$(PKG_ENV) packaging/krew.sh $< $(VERSION) $(RELEASE_URL)/$(notdir $<) \
		$(PKG_OS) $(PKG_ARCH) $@

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

clean: clean-pkg

clean-pkg:
	rm -rf $(DIST) $(dir $(KREW_MANIFEST))

.PHONY: clean-pkg

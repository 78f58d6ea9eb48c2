# data/module.mk -- the CRDs' text in the binary, descriptions and all, for `explain` and
# `schema` (rules/crd_doc.h).  The checker's compiled tables (rules/module.mk) drop the
# descriptions; these two commands parse the text when they run.

CRD_TEXT_FILES := $(sort $(wildcard data/crds/*.yaml))
GEN_SRC += $(O)/gen/crd_text.c

$(O)/gen/crd_text.c: $(EMBED) $(CRD_TEXT_FILES) data/module.mk
	$(quiet) EMBED $@
	@mkdir -p $(dir $@)
	$(Q)$(EMBED) feast_crd_text --strip-prefix data/crds/ $(CRD_TEXT_FILES) >$@.tmp
	$(Q)mv $@.tmp $@

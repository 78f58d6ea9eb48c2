# templates/module.mk -- embed the object skeletons and scripts in the binary.
#
# Every file under templates/ (YAML skeletons, rule lists, scripts) becomes an
# entry of `feast_templates` (lib/embedded.h), named by its path below
# templates/.  The render parses the YAML ones once per run.

TEMPLATE_FILES := $(sort $(wildcard templates/*.yaml templates/*/*.yaml templates/*/*.py))
GEN_SRC += $(O)/gen/templates.c

$(O)/gen/templates.c: $(EMBED) $(TEMPLATE_FILES) templates/module.mk
	$(quiet) EMBED $@
	@mkdir -p $(dir $@)
	$(Q)$(EMBED) feast_templates --strip-prefix templates/ $(TEMPLATE_FILES) >$@.tmp
	$(Q)mv $@.tmp $@

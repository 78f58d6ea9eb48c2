# render/module.mk -- render's own targets.
#
# `make golden-update` re-renders every golden case (tests/scripts/render_golden.sh
# with GOLDEN_UPDATE=1) and the argv of the hostile-value scripts (render_shell_quoting.sh,
# golden/shell/), and rewrites the files that changed.  Double-colon, so
# that other folders can add their own golden files to the same target.

golden-update:: $(PROGRAMS)
	@GOLDEN_UPDATE=1 FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		tests/run-scripts.sh render_golden
	@GOLDEN_UPDATE=1 FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		tests/run-scripts.sh render_shell_quoting

.PHONY: golden-update

# plugin/module.mk -- golden files of the plugin's own commands.
#
# `make golden-update` also rewrites golden/scale/ (tests/scripts/scale_file.sh),
# golden/scale-safety/ (tests/scripts/scale_file_safety.sh, which the filter
# scale_file also picks), golden/keda/ (tests/scripts/render_keda.sh) and golden/cli/
# (tests/scripts/cli_*.sh).

golden-update:: $(PROGRAMS)
	@GOLDEN_UPDATE=1 FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		tests/run-scripts.sh scale_file
	@GOLDEN_UPDATE=1 FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		tests/run-scripts.sh render_keda
	@GOLDEN_UPDATE=1 FEAST_BIN_DIR=$(abspath $(BIN)) FEAST_BUILD_DIR=$(abspath $(O)) \
		tests/run-scripts.sh cli_

/* cmd_lint.c -- `kubectl feast lint`: advice on scaling and availability (rules/lint.h). */
#include "arena.h"
#include "buf.h"
#include "check.h"
#include "cli.h"
#include "diag.h"
#include "lint.h"

#include <stdio.h>
#include <string.h>

enum { OPT_OUTPUT = 1, OPT_STRICT, OPT_ZONES, OPT_NODES, OPT_TARGET };

static const struct opt lint_opts_table[] = {
	FILE_ARGS_OPTS,
	{ "output", 'o', OPT_VALUE, OPT_OUTPUT, "FORMAT", "text|json|sarif", "text",
	  "Findings as text lines, a JSON array, or SARIF 2.1.0 (GitHub code scanning).", 0 },
	{ "strict", 0, OPT_BOOL, OPT_STRICT, NULL, NULL, "false", "Exit 1 when there is any warning.", 0 },
	{ "zones", 0, OPT_VALUE, OPT_ZONES, "N", NULL, NULL,
	  "The cluster's zones, for the rules on spread and required anti-affinity.", 0 },
	{ "nodes", 0, OPT_VALUE, OPT_NODES, "N", NULL, NULL,
	  "The nodes the store may run on, for required anti-affinity by host.", 0 },
	{ "target", 0, OPT_VALUE, OPT_TARGET, "TARGET", "standalone|operator", "standalone",
	  "How the store is applied, as render's --target: operator judges ScaledObjects as written.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { lint_opts_table, help_opts, NULL };

struct lint_args {
	struct file_args files;
	enum lint_format format;
	bool strict;
	struct lint_opts o;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct lint_args *l = ctx;
	switch (o->id) {
	case OPT_OUTPUT:
		l->format = !strcmp(value, "json") ? LINT_JSON : !strcmp(value, "sarif") ? LINT_SARIF : LINT_TEXT;
		return 0;
	case OPT_STRICT: l->strict = !value || !strcmp(value, "true"); return 0;
	case OPT_TARGET: l->o.target_operator = !strcmp(value, "operator"); return 0;
	case OPT_ZONES:
	case OPT_NODES:
		if (!parse_count(value, o->id == OPT_ZONES ? &l->o.zones : &l->o.nodes) ||
		    (o->id == OPT_ZONES ? l->o.zones : l->o.nodes) < 1) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"--%s\": a count of 1 or more", value, o->name);
			return -1;
		}
		return 0;
	}
	return 0;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct lint_args l;
	memset(&l, 0, sizeof(l));
	int rc = command_parse_files(cmd, argc, argv, on_opt, &l, &l.files);
	if (rc != CMD_RUN)
		return rc;

	struct arena a = ARENA_INIT;
	struct diags d, found;
	diags_init(&d, &a);
	diags_init(&found, &a);
	struct inputs in;
	memset(&in, 0, sizeof(in));
	/* Lint judges what validate accepts: a refused spec gets validate's errors and nothing else. */
	load_inputs(&a, &l.files, &in, &d);
	check_documents(&a, &in.docs, &d);
	diags_flush_warnings(stderr, &d);
	if (d.errors) {
		diags_print(stderr, &d);
		arena_free(&a);
		return EXIT_INVALID;
	}
	lint_documents(&a, &in.docs, &l.o, &found);
	struct buf b = BUF_INIT;
	lint_format(&b, &found, l.format, feast_version());
	fputs(b.data ? b.data : "", stdout);
	buf_release(&b);
	rc = l.strict && lint_warnings(&found) ? EXIT_INVALID : EXIT_OK;
	arena_free(&a);
	return rc;
}

const struct command cmd_lint = {
	"lint",
	"Advise on scaling and availability hazards the operator accepts.",
	"kubectl feast lint -f FILENAME [-R] [--strict] [-o text|json|sarif] [--zones N] [--nodes N]\n"
	"                   [--target standalone|operator]",
	"Every FeatureStore, KEDA ScaledObject and Deployment in the input that validate accepts\n"
	"is checked against rules the operator does not enforce: a PDB that blocks every drain, an\n"
	"autoscaler that cannot read utilization, a floor of one replica, spread turned off, required\n"
	"anti-affinity with more replicas than nodes or zones, KEDA fighting the operator, unpinned\n"
	"images, a grace period shorter than shutdown.  Each finding names FILE:LINE:COL, the field,\n"
	"the rule and its fix.  Findings exit 0 unless --strict; a spec validate refuses exits 1 with\n"
	"validate's errors.  A comment `# kubectl-feast: disable=RULE[,RULE]` (or disable=all) at the\n"
	"end of a line or on the line above turns rules off there; among the file's leading comments,\n"
	"for the whole file.\n"
	"\n"
	"Rules: pdb-no-disruption, utilization-no-requests, single-replica, spread-disabled,\n"
	"anti-affinity-hard, keda-targets-deployment, image-unpinned, grace-too-short.",
	groups, run,
};

/* cmd_render.c -- `kubectl feast render`: FeatureStore specs to Kubernetes manifests. */
#include "arena.h"
#include "check.h"
#include "cli.h"
#include "diag.h"
#include "render.h"

#include <stdio.h>
#include <string.h>

enum { OPT_FILENAME = 1, OPT_RECURSIVE, OPT_NAMESPACE, OPT_OUTPUT, OPT_IMAGE, OPT_TARGET, OPT_KEDA_ADOPT_HPA };

static const struct opt render_opts_table[] = {
	{ "filename", 'f', OPT_VALUE, OPT_FILENAME, "FILE", NULL, NULL,
	  "A file, a directory of *.yaml/*.yml files, or - for standard input.", OPT_REPEAT | OPT_FILE },
	{ "recursive", 'R', OPT_BOOL, OPT_RECURSIVE, NULL, NULL, "false",
	  "Process the directories given with -f recursively.", 0 },
	{ "namespace", 'n', OPT_VALUE, OPT_NAMESPACE, "NAMESPACE", NULL, NULL,
	  "Namespace for the objects of FeatureStores that set none (a FeatureStore's own namespace wins).", 0 },
	{ "output", 'o', OPT_VALUE, OPT_OUTPUT, "FORMAT", "yaml|json", "yaml",
	  "Output format: YAML documents, or one v1 List in JSON.", 0 },
	{ "image", 0, OPT_VALUE, OPT_IMAGE, "IMAGE", NULL, RENDER_DEFAULT_IMAGE,
	  "Feature-server image for servers and init containers that name none (standalone only).", 0 },
	{ "target", 0, OPT_VALUE, OPT_TARGET, "TARGET", "standalone|operator", "standalone",
	  "What to render: standalone, every object needed to run the stores without the operator; "
	  "operator, for clusters that run the Feast operator: each FeatureStore as written and its "
	  "KEDA ScaledObject aimed at the FeatureStore, nothing else.", 0 },
	{ "keda-adopt-hpa", 0, OPT_BOOL, OPT_KEDA_ADOPT_HPA, NULL, NULL, "false",
	  "Let each ScaledObject take over the existing HPA feast-<name> (the one services.scaling."
	  "autoscaling made) without a gap: adds scaledobject.keda.sh/transfer-hpa-ownership.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { render_opts_table, help_opts, NULL };

struct render_args {
	struct file_args files;
	struct render_opts opts;
	enum render_format format;
	const char *standalone_flag;  /* the first flag that shapes the standalone pod */
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct render_args *v = ctx;
	switch (o->id) {
	case OPT_FILENAME:
		return file_args_add(&v->files, value, err, errlen);
	case OPT_RECURSIVE:
		v->files.recursive = !value || strcmp(value, "true") == 0;
		return 0;
	case OPT_NAMESPACE:
		v->opts.namespace = *value ? value : NULL;
		return 0;
	case OPT_OUTPUT:
		v->format = strcmp(value, "json") == 0 ? RENDER_JSON : RENDER_YAML;
		return 0;
	case OPT_IMAGE:
		v->opts.image = value;
		v->standalone_flag = v->standalone_flag ? v->standalone_flag : "--image";
		return 0;
	case OPT_TARGET:
		v->opts.target = strcmp(value, "operator") == 0 ? RENDER_TARGET_OPERATOR : RENDER_TARGET_STANDALONE;
		return 0;
	case OPT_KEDA_ADOPT_HPA:
		v->opts.keda_adopt_hpa = !value || strcmp(value, "true") == 0;
		return 0;
	}
	return 0;
}

/* Check everything, then render; stdout gets all objects or nothing. */
static int render_inputs(const struct render_args *v)
{
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct inputs in;
	memset(&in, 0, sizeof(in));
	struct objlist objs = { 0 };
	int rc = EXIT_INVALID;

	load_inputs(&a, &v->files, &in, &d);
	if (!d.errors)
		check_documents(&a, &in.docs, &d);
	diags_flush_warnings(stderr, &d);
	if (!d.errors && render_documents(&a, &in.docs, &v->opts, &objs, &d) == 0)
		rc = EXIT_OK;
	diags_print(stderr, &d);
	/* Rendering cannot fail past this point, so output starts only now. */
	if (rc == EXIT_OK && (render_fwrite(stdout, &objs, v->format) < 0 || fflush(stdout) != 0)) {
		fprintf(stderr, "error: writing the output failed\n");
		rc = EXIT_INVALID;
	}
	arena_free(&a);
	return rc;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct render_args v;
	memset(&v, 0, sizeof(v));
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = command_parse(cmd, argc, argv, on_opt, &v, false, &args);
	if (rc)
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (args.n)
		return usage_error(cmd, "unexpected argument \"%s\"", args.v[0]);
	if (!v.files.n)
		return usage_error(cmd, "must specify -f FILENAME (a file, a directory, or - for standard input)");
	if (v.opts.target == RENDER_TARGET_OPERATOR && v.standalone_flag)
		return usage_error(cmd, "%s shapes the standalone pod; with --target operator the operator builds the pod",
				   v.standalone_flag);
	return render_inputs(&v);
}

const struct command cmd_render = {
	"render",
	"Render FeatureStore specs into the Kubernetes objects that run them.",
	"kubectl feast render -f FILENAME [-R] [-n NAMESPACE] [-o yaml|json] [--image IMAGE] "
	"[--target standalone|operator] [--keda-adopt-hpa]",
	"Every FeatureStore in the input becomes the objects the Feast operator would create\n"
	"(ServiceAccount, RBAC, client ConfigMap, PVCs, Services, Deployment, HPA, PDB, CronJob),\n"
	"with the same names and selector, as plain YAML for Git.  Other documents pass through\n"
	"unchanged, except KEDA ScaledObjects that scale a store: written with only triggers and\n"
	"bounds, they are completed (name, namespace, labels, scaleTargetRef, HPA name) and the\n"
	"Deployment leaves its replica count to KEDA.  All input is checked first: if any\n"
	"document is invalid, errors go to stderr as FILE:LINE:COL: field: message, nothing is\n"
	"printed and the exit code is 1.  Secret values are never read: DB store settings are\n"
	"merged from their Secret at pod start.\n"
	"\n"
	"With --target operator the output is for a cluster that runs the Feast operator: each\n"
	"FeatureStore as written and its ScaledObject aimed at the FeatureStore (KEDA scales it\n"
	"through its scale subresource); a spec the operator's CEL rules would reject is refused.",
	groups, run,
};

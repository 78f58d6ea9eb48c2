/* cmd_render.c -- `kubectl feast render`: FeatureStore specs to Kubernetes manifests. */
#include "arena.h"
#include "buf.h"
#include "check.h"
#include "cli.h"
#include "diag.h"
#include "docshape.h"
#include "render.h"
#include "render_flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_NAMESPACE = 1, OPT_OUTPUT, OPT_STRICT };

static const struct opt render_opts_table[] = {
	FILE_ARGS_OPTS,
	{ "namespace", 'n', OPT_VALUE, OPT_NAMESPACE, "NAMESPACE", NULL, NULL,
	  "Namespace for every namespaced object that sets none; an object naming another one is an error, "
	  "as with kubectl.", 0 },
	{ "output", 'o', OPT_VALUE, OPT_OUTPUT, "FORMAT", "yaml|json", "yaml",
	  "Output format: YAML documents, or one v1 List in JSON.", 0 },
	{ "strict", 0, OPT_BOOL, OPT_STRICT, NULL, NULL, "false",
	  "Fail on near misses (kind Featurestore, an API group with feast in it) instead of warning.", 0 },
	OPT_END,
};

/* The render flags are apply's and diff's too (render_flags.h): one table, one setter. */
static const struct opt *const groups[] = { render_opts_table, render_flag_opts, help_opts, NULL };

struct render_args {
	struct file_args files;
	struct render_flags flags;
	const char *namespace;
	enum render_format format;
	bool strict;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct render_args *v = ctx;
	if (render_flag_is(o))
		return render_flag_set(&v->flags, o, value, err, errlen);
	switch (o->id) {
	case OPT_NAMESPACE:
		if (*value && docshape_namespace_error(value)) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"-n, --namespace\" flag: %s", value,
				 docshape_namespace_error(value));
			return -1;
		}
		v->namespace = *value ? value : NULL;
		return 0;
	case OPT_STRICT:
		v->strict = !value || strcmp(value, "true") == 0;
		return 0;
	case OPT_OUTPUT:
		v->format = strcmp(value, "json") == 0 ? RENDER_JSON : RENDER_YAML;
		return 0;
	}
	return 0;
}

struct output {
	struct render_writer w;
	struct diags *d;
};

/* Warnings before the first object, as when the whole run was printed at the end. */
static int output_ready(void *ctx)
{
	diags_flush_warnings(stderr, ((struct output *)ctx)->d);
	return 0;
}

static int output_put(void *ctx, const struct render_obj *v, size_t n)
{
	return render_writer_put(&((struct output *)ctx)->w, v, n);
}

/* Check everything, then render store by store; stdout gets all objects or nothing. */
static int render_inputs(const struct render_args *v)
{
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct inputs in;
	memset(&in, 0, sizeof(in));
	int rc = EXIT_INVALID;
	struct render_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.namespace = v->namespace;
	opts.namespace_explicit = v->namespace != NULL;
	render_flags_to_opts(&v->flags, &opts);

	struct diags walk;
	diags_init(&walk, &a);
	load_raw_inputs(&a, &v->files, &in, &walk);
	struct output out = { .d = &d };
	render_writer_init(&out.w, stdout, v->format);
	/* Neither path hands anything on unless every store rendered in its checking pass. */
	struct render_sink sink = { output_ready, output_put, &out };
	int raw = render_stream_raw(&a, &in, &opts, &sink, &walk, &d);
	if (raw == RENDER_WHOLE) {
		parse_raw_inputs(&a, &in, &walk, &d);
		if (!d.errors)
			check_documents(&a, &in.docs, &d);
		if (v->strict)
			diags_promote(&d, DOCSHAPE_NEAR_MISS);
		diags_flush_warnings(stderr, &d);
		raw = d.errors ? -1 : render_stream(&a, &in.docs, &opts, &sink, &d);
	}
	bool rendered = raw == 0;
	if (rendered && render_writer_end(&out.w) == 0 && fflush(stdout) == 0)
		rc = EXIT_OK;
	buf_release(&out.w.b);
	if (out.w.failed || (rendered && rc != EXIT_OK))
		fprintf(stderr, "error: writing the output failed\n");
	diags_print(stderr, &d);
	arena_free(&a);
	return rc;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct render_args v;
	memset(&v, 0, sizeof(v));
	int rc = command_parse_files(cmd, argc, argv, on_opt, &v, &v.files);
	if (rc != CMD_RUN)
		return rc;
	char msg[128];
	if (render_flags_check(&v.flags, msg, sizeof(msg)))
		return usage_error(cmd, "%s", msg);
	return render_inputs(&v);
}

const struct command cmd_render = {
	"render",
	"Render FeatureStore specs into the Kubernetes objects that run them.",
	"kubectl feast render -f FILENAME [-R] [-n NAMESPACE] [-o yaml|json] [--image IMAGE] "
	"[--target standalone|operator] [--keda-adopt-hpa] [--sidecar auto|always|none] [--sidecar-image IMAGE] "
	"[--readiness probe|gate] [--kube-version 1.MINOR] [--prestop-seconds N] [--strict]",
	"Every FeatureStore in the input becomes the objects the Feast operator would create\n"
	"(ServiceAccount, RBAC, client ConfigMap, PVCs, Services, Deployment, HPA, PDB, CronJob),\n"
	"with the same names and selector, as plain YAML for Git.  Other documents pass through\n"
	"unchanged (but for -n's namespace where they set none, and YAML tags read as kubectl reads\n"
	"them), except KEDA ScaledObjects that scale a store: written with only triggers and\n"
	"bounds, they are completed (name, namespace, labels, scaleTargetRef, HPA name) and the\n"
	"Deployment leaves its replica count to KEDA.  All input is checked first: if any\n"
	"document is invalid, errors go to stderr as FILE:LINE:COL: field: message, nothing is\n"
	"printed and the exit code is 1.  Secret values are never read: DB store settings are\n"
	"merged from their Secret at pod start.\n"
	"\n"
	"When a store scales (or with --sidecar always) its pod gets feast-sidecar as a native sidecar:\n"
	"feast-apply and the CronJob's commands run under a cluster-wide registry lock (a Lease), the\n"
	"pod is ready only once its servers are healthy and have refreshed the registry after the last\n"
	"apply, and a terminating pod leaves the endpoints before its servers stop.  It comes with the\n"
	"Role and RoleBinding feast-<name>-sidecar.  Native sidecars need Kubernetes 1.29: for older\n"
	"clusters (--kube-version) pass --sidecar none.\n"
	"\n"
	"With --target operator the output is for a cluster that runs the Feast operator: each\n"
	"FeatureStore as written and its ScaledObject aimed at the FeatureStore (KEDA scales it\n"
	"through its scale subresource); a spec the operator's CEL rules would reject is refused.\n"
	"The flags that shape the pod (--image and the sidecar's) are refused with it.",
	groups, run,
};

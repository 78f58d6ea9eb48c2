/* cmd_render.c -- `kubectl feast render`: FeatureStore specs to Kubernetes manifests. */
#include "arena.h"
#include "check.h"
#include "cli.h"
#include "diag.h"
#include "docshape.h"
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_NAMESPACE = 1, OPT_OUTPUT, OPT_IMAGE, OPT_TARGET, OPT_KEDA_ADOPT_HPA,
	OPT_SIDECAR, OPT_SIDECAR_IMAGE, OPT_READINESS, OPT_KUBE_VERSION, OPT_PRESTOP, OPT_STRICT,
};

static const struct opt render_opts_table[] = {
	FILE_ARGS_OPTS,
	{ "namespace", 'n', OPT_VALUE, OPT_NAMESPACE, "NAMESPACE", NULL, NULL,
	  "Namespace for every namespaced object that sets none; an object naming another one is an error, "
	  "as with kubectl.", 0 },
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
	{ "sidecar", 0, OPT_VALUE, OPT_SIDECAR, "MODE", "auto|always|none", "auto",
	  "Inject feast-sidecar, the cluster-wide registry lock around feast-apply and the CronJob's "
	  "commands and readiness gating: auto, when the store scales (replicas > 1, HPA or KEDA); "
	  "none: the operator's pod as it is.", 0 },
	{ "sidecar-image", 0, OPT_VALUE, OPT_SIDECAR_IMAGE, "IMAGE", NULL, RENDER_SIDECAR_IMAGE,
	  "Image of the injected feast-sidecar.", 0 },
	{ "readiness", 0, OPT_VALUE, OPT_READINESS, "MODE", "probe|gate", "probe",
	  "probe: the sidecar's readinessProbe holds the pod back; gate: a readiness gate "
	  "(feast.dev/registry-ready) the sidecar sets, which needs pods/status patch rights.", 0 },
	{ "kube-version", 0, OPT_VALUE, OPT_KUBE_VERSION, "1.MINOR", NULL, "1.29",
	  "The target cluster's version: the sidecar needs 1.29+ (native sidecars); 1.30+ gets the "
	  "preStop sleep action instead of running sleep.", 0 },
	{ "prestop-seconds", 0, OPT_VALUE, OPT_PRESTOP, "SECONDS", NULL, "5",
	  "With the sidecar, the servers' preStop sleep, so endpoints drop a terminating pod before "
	  "its server stops; 0: none.", 0 },
	{ "strict", 0, OPT_BOOL, OPT_STRICT, NULL, NULL, "false",
	  "Fail on near misses (kind Featurestore, an API group with feast in it) instead of warning.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { render_opts_table, help_opts, NULL };

struct render_args {
	struct file_args files;
	struct render_opts opts;
	enum render_format format;
	const char *standalone_flag;  /* the first flag that shapes the standalone pod */
	bool strict;
	char flag_buf[32];
};

/* "1.29", "v1.30", "1.31.2" -> the minor version; -1 when it is not one. */
static int kube_minor(const char *s)
{
	if (*s == 'v')
		s++;
	if (strncmp(s, "1.", 2) != 0)
		return -1;
	char *end;
	long minor = strtol(s + 2, &end, 10);
	if (end == s + 2 || (*end && *end != '.') || minor < 0 || minor > 999)
		return -1;
	return (int)minor;
}

/* The options that shape the standalone pod's feast-sidecar; 1 when `o` is not one. */
static int sidecar_opt(struct render_args *v, const struct opt *o, const char *value, char *err, size_t errlen)
{
	char *end;
	long n;
	switch (o->id) {
	case OPT_SIDECAR:
		v->opts.sidecar = !strcmp(value, "always") ? RENDER_SIDECAR_ALWAYS
				  : !strcmp(value, "none") ? RENDER_SIDECAR_NONE : RENDER_SIDECAR_AUTO;
		break;
	case OPT_SIDECAR_IMAGE:
		v->opts.sidecar_image = value;
		break;
	case OPT_READINESS:
		v->opts.readiness = !strcmp(value, "gate") ? RENDER_READINESS_GATE : RENDER_READINESS_PROBE;
		break;
	case OPT_KUBE_VERSION:
		if ((v->opts.kube_minor = kube_minor(value)) < 0) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"--kube-version\" flag: want 1.MINOR, "
				 "like 1.29", value);
			return -1;
		}
		break;
	case OPT_PRESTOP:
		n = strtol(value, &end, 10);
		if (!*value || *end || n < 0 || n > 3600) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"--prestop-seconds\" flag: want 0 to 3600",
				 value);
			return -1;
		}
		v->opts.prestop_seconds = n ? (int)n : -1;
		break;
	default:
		return 1;
	}
	if (!v->standalone_flag) {
		snprintf(v->flag_buf, sizeof(v->flag_buf), "--%s", o->name);
		v->standalone_flag = v->flag_buf;
	}
	return 0;
}

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct render_args *v = ctx;
	int rc = sidecar_opt(v, o, value, err, errlen);
	if (rc <= 0)
		return rc;
	switch (o->id) {
	case OPT_NAMESPACE:
		if (*value && docshape_namespace_error(value)) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"-n, --namespace\" flag: %s", value,
				 docshape_namespace_error(value));
			return -1;
		}
		v->opts.namespace = *value ? value : NULL;
		v->opts.namespace_explicit = v->opts.namespace != NULL;
		return 0;
	case OPT_STRICT:
		v->strict = !value || strcmp(value, "true") == 0;
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
	if (v->strict)
		diags_promote(&d, DOCSHAPE_NEAR_MISS);
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
	int rc = command_parse_files(cmd, argc, argv, on_opt, &v, &v.files);
	if (rc != CMD_RUN)
		return rc;
	if (v.opts.target == RENDER_TARGET_OPERATOR && v.standalone_flag)
		return usage_error(cmd, "%s shapes the standalone pod; with --target operator the operator builds the pod",
				   v.standalone_flag);
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

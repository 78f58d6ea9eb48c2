/* flags.c -- the render flags' table and setter, shared by render, apply, diff and scale. */
#include "render_flags.h"
#include "shards.h"

#include <stdio.h>
#include <string.h>

const struct opt render_flag_opts[] = {
	{ "image", 0, OPT_VALUE, 4000, "IMAGE", NULL, RENDER_DEFAULT_IMAGE,
	  "Feature-server image for servers and init containers that name none (standalone only).", 0 },
	{ "target", 0, OPT_VALUE, 4001, "TARGET", "standalone|operator", "standalone",
	  "What to render: standalone, every object needed to run the stores without the operator; "
	  "operator, for clusters that run the Feast operator: each FeatureStore as written and its "
	  "KEDA ScaledObject aimed at the FeatureStore, nothing else.", 0 },
	{ "keda-adopt-hpa", 0, OPT_BOOL, 4002, NULL, NULL, "false",
	  "Let each ScaledObject take over the existing HPA feast-<name> (the one services.scaling."
	  "autoscaling made) without a gap: adds scaledobject.keda.sh/transfer-hpa-ownership.", 0 },
	{ "sidecar", 0, OPT_VALUE, 4003, "MODE", "auto|always|none", "auto",
	  "Inject feast-sidecar, the cluster-wide registry lock around feast-apply and the CronJob's "
	  "commands and readiness gating: auto, when the store scales (replicas > 1, HPA or KEDA); "
	  "none: the operator's pod as it is.", 0 },
	{ "sidecar-image", 0, OPT_VALUE, 4004, "IMAGE", NULL, RENDER_SIDECAR_IMAGE,
	  "Image of the injected feast-sidecar.", 0 },
	{ "readiness", 0, OPT_VALUE, 4005, "MODE", "probe|gate", "probe",
	  "probe: the sidecar's readinessProbe holds the pod back; gate: a readiness gate "
	  "(feast.dev/registry-ready) the sidecar sets, which needs pods/status patch rights.", 0 },
	{ "kube-version", 0, OPT_VALUE, 4006, "1.MINOR", NULL, "1.29",
	  "The target cluster's version: the sidecar needs 1.29+ (native sidecars); 1.30+ gets the "
	  "preStop sleep action instead of running sleep.", 0 },
	{ "prestop-seconds", 0, OPT_VALUE, 4007, "SECONDS", NULL, "5",
	  "With the sidecar, the servers' preStop sleep, so endpoints drop a terminating pod before "
	  "its server stops; 0: none.", 0 },
	{ "no-flux-warnings", 0, OPT_BOOL, 4008, NULL, NULL, "false",
	  "Do not warn about documents passed through that contain `${` (Flux post-build "
	  "substitution would rewrite them); for inputs whose `${` is meant for Flux.", 0 },
	{ "prometheus-operator", 0, OPT_BOOL, 4009, NULL, NULL, "false",
	  "The cluster runs the Prometheus Operator: render a ServiceMonitor for each online server "
	  "with metrics, as the Feast operator does when the CRD exists.", 0 },
	{ "openshift", 0, OPT_BOOL, 4010, NULL, NULL, "false",
	  "The cluster is OpenShift: servers that set no tls serve with the service CA's "
	  "certificates, the UI gets a Route, and CronJob pods take the namespace's UID, as the "
	  "Feast operator does there.", 0 },
	{ "configs-registry", 0, OPT_VALUE, 4011, "NAMESPACE", NULL, NULL,
	  "Render the namespace registry the Feast UI reads to find every store's client "
	  "configuration (ConfigMap feast-configs-registry, readable by any authenticated user) "
	  "into NAMESPACE, the operator's own (feast-operator-system on Kubernetes); it lists the "
	  "stores of this run only.", 0 },
	{ "materialize-shards", 0, OPT_VALUE, 4012, "N", NULL, "1",
	  "Run each store's materialization CronJob as an Indexed Job of N pods built like the store's "
	  "pods, shard i materializing the feature views whose position in name order is i modulo N; "
	  "needs a SQL or remote registry.  A store's feast.dev/materialize-shards annotation wins.", 0 },
	OPT_END,
};

/* Rows by position, so the table is the one place that names them; the ids (4000 and up)
 * only keep clear of the commands' own in `__check-options`. */
enum { F_IMAGE, F_TARGET, F_KEDA, F_SIDECAR, F_SIDECAR_IMAGE, F_READINESS, F_KUBE_VERSION, F_PRESTOP,
       F_NO_FLUX_WARNINGS, F_PROMETHEUS_OPERATOR, F_OPENSHIFT, F_NAMESPACE_REGISTRY, F_MATERIALIZE_SHARDS };

bool render_flag_is(const struct opt *o)
{
	return opt_in(render_flag_opts, o);
}

/* Digits only, at most three of them; -1 otherwise. */
static int digits(const char *s, const char **end)
{
	int n = 0, v = 0;
	for (; *s >= '0' && *s <= '9' && n < 4; s++, n++)
		v = v * 10 + (*s - '0');
	*end = s;
	return n && n <= 3 ? v : -1;
}

int render_kube_minor(const char *s)
{
	const char *end;
	s += *s == 'v';
	if (strncmp(s, "1.", 2))
		return -1;
	int minor = digits(s + 2, &end);
	if (minor < 0 || (*end && *end != '.'))
		return -1;
	if (*end && (digits(end + 1, &end) < 0 || *end))
		return -1;
	return minor;
}

static int bad(char *err, size_t errlen, const char *value, const char *flag, const char *want)
{
	snprintf(err, errlen, "invalid argument \"%s\" for \"--%s\" flag: %s", value, flag, want);
	return -1;
}

int render_flag_set(struct render_flags *f, const struct opt *o, const char *value, char *err, size_t errlen)
{
	int n = 0;
	if (!render_flag_is(o))
		return 1;
	switch (o - render_flag_opts) {
	case F_TARGET:
		f->target = !strcmp(value, "operator") ? RENDER_TARGET_OPERATOR : RENDER_TARGET_STANDALONE;
		return 0;
	case F_KEDA:
		f->keda_adopt_hpa = !value || !strcmp(value, "true");
		return 0;
	case F_PROMETHEUS_OPERATOR:
		f->prometheus_operator = !value || !strcmp(value, "true");
		break;
	case F_NAMESPACE_REGISTRY:
		f->namespace_registry = value;
		break;
	case F_OPENSHIFT:
		f->openshift = !value || !strcmp(value, "true");
		break;
	case F_NO_FLUX_WARNINGS:
		f->no_flux_warnings = !value || !strcmp(value, "true");
		return 0;
	case F_IMAGE: f->image = value; break;
	case F_SIDECAR:
		f->sidecar = !strcmp(value, "always") ? RENDER_SIDECAR_ALWAYS
			     : !strcmp(value, "none") ? RENDER_SIDECAR_NONE : RENDER_SIDECAR_AUTO;
		break;
	case F_SIDECAR_IMAGE: f->sidecar_image = value; break;
	case F_READINESS:
		f->readiness = !strcmp(value, "gate") ? RENDER_READINESS_GATE : RENDER_READINESS_PROBE;
		break;
	case F_KUBE_VERSION:
		if ((f->kube_minor = render_kube_minor(value)) < 0)
			return bad(err, errlen, value, o->name, "want 1.MINOR, like 1.29");
		break;
	case F_MATERIALIZE_SHARDS:
		if (!parse_count(value, &n) || n < 1 || n > SHARDS_MAX)
			return bad(err, errlen, value, o->name, "want 1 to 64");
		f->materialize_shards = n;
		break;
	case F_PRESTOP:
		if (!parse_count(value, &n) || n > 3600)
			return bad(err, errlen, value, o->name, "want 0 to 3600");
		f->prestop_seconds = n ? n : -1;
		break;
	default:
		return 1;
	}
	/* What remains shapes the standalone pod, which --target operator leaves to the operator. */
	if (!f->pod_flag[0])
		snprintf(f->pod_flag, sizeof(f->pod_flag), "--%s", o->name);
	return 0;
}

const char *render_flags_check(const struct render_flags *f, char *buf, size_t n)
{
	if (f->target != RENDER_TARGET_OPERATOR || !f->pod_flag[0])
		return NULL;
	snprintf(buf, n, "%s shapes the standalone pod; with --target operator the operator builds the pod",
		 f->pod_flag);
	return buf;
}

void render_flags_to_opts(const struct render_flags *f, struct render_opts *opts)
{
	opts->image = f->image;
	opts->target = f->target;
	opts->keda_adopt_hpa = f->keda_adopt_hpa;
	opts->sidecar = f->sidecar;
	opts->sidecar_image = f->sidecar_image;
	opts->readiness = f->readiness;
	opts->kube_minor = f->kube_minor;
	opts->prestop_seconds = f->prestop_seconds;
	opts->no_flux_warnings = f->no_flux_warnings;
	opts->prometheus_operator = f->prometheus_operator;
	opts->openshift = f->openshift;
	opts->namespace_registry = f->namespace_registry;
	opts->materialize_shards = f->materialize_shards;
}

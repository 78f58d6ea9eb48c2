/* cmd_apply.c -- `kubectl feast apply`: render FeatureStores and server-side apply the result to a cluster. */
#include "cli.h"
#include "kube_util.h"
#include "cli_cluster.h"
#include "rollout.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_DRY_RUN = 1, OPT_PRUNE, OPT_WAIT, OPT_FORCE, OPT_APPLYSET, OPT_CONCURRENCY, OPT_SKIP_UNCHANGED };

#define DEFAULT_WAIT_MS (5 * 60 * 1000LL)

static const struct opt apply_opts[] = {
	FILE_ARGS_OPTS,
	DRY_RUN_OPT(OPT_DRY_RUN, "client: only say what would be sent (objects are read, nothing is written); "
				 "server: the API server runs every write without storing it."),
	{ "prune", 0, OPT_BOOL, OPT_PRUNE, NULL, NULL, "false",
	  "Delete objects this tool applied for the stores in the input that are no longer rendered "
	  "(the HPA once autoscaling is off, the PDB once scaling is off, ...), in their namespaces only.", 0 },
	{ "applyset", 0, OPT_VALUE, OPT_APPLYSET, "[RESOURCE/]NAME", NULL, NULL,
	  "With --prune: track the objects as kubectl's ApplySet whose parent is the Secret NAME (or "
	  "configmaps/NAME) in the namespace of -n, so that prune also deletes the objects of stores that "
	  "left the input (a shared ClusterRole stays while any store still binds it).", 0 },
	{ "wait", 0, OPT_OPTIONAL, OPT_WAIT, "TIMEOUT", NULL, NULL,
	  "After applying, wait until every Deployment has rolled out, showing progress on stderr; "
	  "TIMEOUT defaults to 5m, 0 waits without limit. Exit 4 when it runs out.", 0 },
	{ "force-conflicts", 0, OPT_BOOL, OPT_FORCE, NULL, NULL, "false",
	  "Take over fields that another field manager owns instead of failing with a conflict.", 0 },
	CONCURRENCY_OPT(OPT_CONCURRENCY,
			"Apply requests in flight at most (as streams of one HTTP/2 connection where the API server "
			"offers it); objects still go in dependency order: namespaces and CRDs, what the pods need, "
			"bindings, workloads, then what points at them."),
	{ "skip-unchanged", 0, OPT_BOOL, OPT_SKIP_UNCHANGED, NULL, NULL, "true",
	  "Read the live objects first (one LIST per kind and namespace) and send no apply for an object "
	  "it provably would not change: kubectl-feast's managed fields are exactly those the apply sets "
	  "and every value sent is already live. false: send every object's apply.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { apply_opts, render_flag_opts, kube_flag_opts, help_opts, NULL };

struct apply_args {
	struct rec_session s;
	struct file_args files;
	struct render_flags ro;
	enum rec_dry dry;
	bool prune, force, wait;
	bool send_unchanged;    /* --skip-unchanged=false */
	long long wait_ms;
	const char *applyset;
	struct applyset_ref parent;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct apply_args *v = ctx;
	switch (o->id) {
	case OPT_DRY_RUN:
		return rec_dry_set(value, &v->dry, err, errlen);
	case OPT_SKIP_UNCHANGED:
		v->send_unchanged = value && strcmp(value, "true") != 0;
		return 0;
	case OPT_PRUNE:
	case OPT_FORCE:
		*(o->id == OPT_PRUNE ? &v->prune : &v->force) = !value || strcmp(value, "true") == 0;
		return 0;
	case OPT_APPLYSET:
		v->applyset = value;
		return applyset_parse_ref(&v->s.a, value, &v->parent, err, errlen);
	case OPT_CONCURRENCY:
		return rec_concurrency_set(&v->s, value, err, errlen);
	case OPT_WAIT:
		return wait_flag_set(value, DEFAULT_WAIT_MS, &v->wait, &v->wait_ms, err, errlen);
	}
	return 0;
}

/* The Deployments to follow: those applied, or with --target operator the ones the operator
 * makes for each store (feast-<name>; they may not exist yet). */
static int wait_rollouts(struct apply_args *v, struct rec_set *set)
{
	struct rec_session *s = &v->s;
	const struct rec_obj **deps = arena_alloc(&s->a, (set->n + set->nstores + 1) * sizeof(*deps));
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].res.group, "apps") && !strcmp(set->v[i].res.kind, "Deployment"))
			deps[n++] = &set->v[i];
	const struct kube_resource *res = kube_resource_builtin("apps/v1", "Deployment");
	for (size_t i = 0; set->target == RENDER_TARGET_OPERATOR && i < set->nstores; i++) {
		struct rec_obj *o = arena_alloc(&s->a, sizeof(*o));
		o->res = *res;
		o->ns = set->stores[i].ns;
		o->name = arena_printf(&s->a, "feast-%s", set->stores[i].name);
		o->path = kube_path(&s->a, res, o->ns, o->name, NULL);
		o->display = rec_display(&s->a, res, o->name);
		deps[n++] = o;
	}
	int rc = rollout_wait(s, deps, n, v->wait_ms, stderr, isatty(STDERR_FILENO) == 1);
	return rc > 0 ? EXIT_TIMEOUT : rc < 0 ? EXIT_CLUSTER : EXIT_OK;
}

/* Check and render everything before the first request; stop at the first failure. */
static int apply_run(struct apply_args *v)
{
	struct rec_session *s = &v->s;
	struct rec_set set = { 0 };
	s->no_objects = "no objects passed to apply"; /* kubectl's words for an empty input */
	int bad = rec_prepare(s, &v->files, &v->ro, &set);
	if (bad)
		return bad == REC_BAD_INPUT ? EXIT_INVALID : EXIT_CLUSTER;
	if (rec_check_bindings(s, &set) < 0)
		return EXIT_INVALID;
	s->skip_unchanged = !v->send_unchanged;
	struct rec_applyset as;
	if (v->applyset && rec_applyset_begin(s, &set, &v->parent, v->dry, &as) < 0)
		return EXIT_CLUSTER;
	if (!v->applyset && rec_applyset_keep(s, &set) < 0)
		return EXIT_CLUSTER;
	if (rec_apply_all(s, &set, v->dry, v->force, true, stdout) < 0)
		return EXIT_CLUSTER;
	if (v->applyset && rec_applyset_prune(s, &set, &as, v->dry, stdout) < 0)
		return EXIT_CLUSTER;
	if (v->prune && !v->applyset && rec_prune_all(s, &set, v->dry, stdout) < 0)
		return EXIT_CLUSTER;
	if (v->wait)
		return wait_rollouts(v, &set);
	return EXIT_OK;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct apply_args v;
	memset(&v, 0, sizeof(v));
	int rc = rec_parse_inputs(cmd, argc, argv, on_opt, &v, &v.s, &v.files, &v.ro);
	if (rc == CMD_RUN && v.applyset && !v.prune)
		rc = usage_error(cmd, "--applyset requires --prune");
	if (rc == CMD_RUN && v.wait && v.dry != REC_DRY_NONE)
		rc = usage_error(cmd, "--wait cannot be used with --dry-run: nothing would roll out");
	return rec_finish(&v.s, rc == CMD_RUN ? apply_run(&v) : rc);
}

const struct command cmd_apply = {
	"apply",
	"Render FeatureStores and apply the objects to the cluster (server-side apply).",
	"kubectl feast apply -f FILENAME [-R] [--dry-run=none|client|server] [--prune [--applyset=NAME]]\n"
	"                    [--wait[=TIMEOUT]] [--force-conflicts] [--concurrency N] [--skip-unchanged=false]\n"
	"                    [--target standalone|operator]\n"
	"                    [render flags: --image --sidecar ...] [kubectl connection flags]",
	"Every input is checked first: an invalid spec is reported as FILE:LINE:COL: field: message\n"
	"and nothing is applied (exit 1).  Then each rendered object is sent with server-side apply,\n"
	"field manager \"kubectl-feast\", one request per object, several at a time (--concurrency)\n"
	"in dependency order, and one line per object, in the order `render` prints them, says\n"
	"what happened (deployment.apps/feast-x created|configured|unchanged).  Applying the\n"
	"same input again reports every object unchanged and sends no apply at all: the live\n"
	"objects are listed first, and an object whose live copy shows that the apply cannot\n"
	"change it is not sent (--skip-unchanged=false sends every one).  Throttling (429) is\n"
	"waited out and a failing request resent within --request-timeout; a failure that stays\n"
	"stops the run and says how many objects were applied; applying again converges.\n"
	"\n"
	"With --target operator the FeatureStores themselves (and their KEDA ScaledObjects) are\n"
	"applied for the Feast operator to reconcile; --wait then follows the Deployments the\n"
	"operator makes, and --prune only ever deletes ScaledObjects.\n"
	"\n"
	"--prune alone deletes what the stores in the input no longer render.  With\n"
	"--applyset=NAME the run is kubectl's ApplySet (KEP-3659): the Secret NAME in the\n"
	"namespace of -n is its parent (label applyset.kubernetes.io/id, tooling kubectl-feast),\n"
	"every object gets the label applyset.kubernetes.io/part-of, and prune deletes every\n"
	"member that is not in the input any more: the objects of a store whose file was\n"
	"removed too.  A shared ClusterRole or secret-merge ConfigMap stays while a store\n"
	"outside the set still uses it.  kubectl refuses to change a set another tool manages,\n"
	"and so does apply.\n"
	"\n"
	"Each store's Deployment carries the applied FeatureStore as the annotation\n"
	"feast.dev/applied-spec (and the render flags as feast.dev/applied-options), so that\n"
	"`kubectl feast scale NAME` can re-render it; manifests from `render` never carry it.\n"
	"\n"
	"Exit codes: 0 applied, 1 invalid spec, 2 usage, 3 cluster or API failure (the server's\n"
	"Status reason and message are shown), 4 --wait timed out.",
	groups, run,
};

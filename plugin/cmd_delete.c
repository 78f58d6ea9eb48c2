/* cmd_delete.c -- `kubectl feast delete`: remove every object of the named FeatureStores from a cluster. */
#include "cli.h"
#include "doc.h"
#include "docshape.h"
#include "kube_util.h"
#include "cli_cluster.h"

#include <string.h>

enum { OPT_DRY_RUN = 1, OPT_WAIT };

#define DEFAULT_WAIT_MS (5 * 60 * 1000LL)

static const struct opt delete_opts[] = {
	FILE_ARGS_OPTS,
	DRY_RUN_OPT(OPT_DRY_RUN, "client: only say what would be deleted (objects are read, nothing is written); "
				 "server: the API server runs every deletion without storing it."),
	{ "wait", 0, OPT_OPTIONAL, OPT_WAIT, "TIMEOUT", NULL, NULL,
	  "After deleting, wait until the objects and the stores' pods are gone, showing progress on "
	  "stderr; TIMEOUT defaults to 5m, 0 waits without limit. Exit 4 when it runs out.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { delete_opts, kube_flag_opts, help_opts, NULL };

struct delete_args {
	struct rec_session s;
	struct file_args files;
	enum rec_dry dry;
	bool wait;
	long long wait_ms;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct delete_args *v = ctx;
	switch (o->id) {
	case OPT_ID_FILENAME:
		return file_args_add(&v->files, value, err, errlen);
	case OPT_ID_RECURSIVE:
		v->files.recursive = !value || strcmp(value, "true") == 0;
		return 0;
	case OPT_DRY_RUN:
		return rec_dry_set(value, &v->dry, err, errlen);
	case OPT_WAIT:
		return wait_flag_set(value, DEFAULT_WAIT_MS, &v->wait, &v->wait_ms, err, errlen);
	}
	return 0;
}

/* The stores to delete: the FeatureStores of the -f inputs (checked and rendered as apply
 * would, so a file apply refuses is refused here too), or NAMEs in the session's namespace. */
static int stores_of(struct delete_args *v, const struct opt_args *names, struct rec_set *set)
{
	struct rec_session *s = &v->s;
	if (v->files.n) {
		struct render_flags ro;
		memset(&ro, 0, sizeof(ro));
		s->no_objects = "no objects passed to delete";
		int bad = rec_prepare(s, &v->files, &ro, set);
		if (bad)
			return bad == REC_BAD_INPUT ? EXIT_INVALID : EXIT_CLUSTER;
		if (!set->nstores) {
			diag_error(&s->d, NULL, "", "no FeatureStore in the input: nothing to delete");
			return EXIT_INVALID;
		}
		return EXIT_OK;
	}
	if (rec_config(s) < 0 || rec_connect(s) < 0)
		return EXIT_CLUSTER;
	set->stores = arena_alloc(&s->a, (size_t)names->n * sizeof(*set->stores));
	for (int i = 0; i < names->n; i++)
		set->stores[set->nstores++] = (struct rec_store){ .name = names->v[i], .ns = s->cfg.namespace };
	return EXIT_OK;
}

static int delete_run(struct delete_args *v, const struct opt_args *names)
{
	struct rec_session *s = &v->s;
	struct rec_set set = { 0 };
	int rc = stores_of(v, names, &set);
	if (rc != EXIT_OK)
		return rc;
	struct rec_delete_plan plan;
	if (rec_delete_plan(s, set.stores, set.nstores, &plan) < 0)
		return EXIT_CLUSTER;
	/* Nothing that another manager applied is released: say what stays, before any deletion. */
	for (size_t i = 0; i < plan.left.n; i++)
		diag_warn(&s->d, NULL, "", "%s left: it carries the store's labels but kubectl-feast did not apply it",
			  plan.left.v[i].display);
	size_t missing = s->d.errors;
	rec_print(s);
	if (rec_delete_each(s, &plan.go, v->dry, REC_DELETED, stdout) < 0)
		return EXIT_CLUSTER;
	if (v->wait && plan.go.n) {
		int w = rec_delete_wait(s, set.stores, set.nstores, &plan.go, v->wait_ms, stderr);
		if (w)
			return w > 0 ? EXIT_TIMEOUT : EXIT_CLUSTER;
	}
	return missing ? EXIT_INVALID : EXIT_OK;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct delete_args v;
	memset(&v, 0, sizeof(v));
	char *pos[argc + 1];
	struct opt_args names = { pos, 0, NULL, 0 };
	int rc = rec_parse(cmd, argc, argv, on_opt, &v, &v.s, &names);
	if (rc == CMD_RUN && names.n && v.files.n)
		rc = usage_error(cmd, "give FeatureStore names or -f FILENAME, not both");
	if (rc == CMD_RUN && !names.n && !v.files.n)
		rc = usage_error(cmd, "must specify one or more FeatureStore names, or -f FILENAME");
	if (rc == CMD_RUN && v.wait && v.dry != REC_DRY_NONE)
		rc = usage_error(cmd, "--wait cannot be used with --dry-run: nothing would be deleted");
	const char *ns = v.s.kf.namespace;
	if (rc == CMD_RUN && ns && *ns && docshape_namespace_error(ns))
		rc = usage_error(cmd, "invalid argument \"%s\" for \"-n, --namespace\" flag: %s", ns,
				 docshape_namespace_error(ns));
	/* A store's name is a label value in the selectors sent: the same rules keep a name
	 * from widening them ("a,b" would select by two labels). */
	for (int i = 0; rc == CMD_RUN && i < names.n; i++)
		if (docshape_namespace_error(names.v[i]))
			rc = usage_error(cmd, "invalid FeatureStore name \"%s\": %s", names.v[i],
					 docshape_namespace_error(names.v[i]));
	return rec_finish(&v.s, rc == CMD_RUN ? delete_run(&v, &names) : rc);
}

const struct command cmd_delete = {
	"delete",
	"Delete every object of FeatureStores from the cluster, shared ones with the last store.",
	"kubectl feast delete NAME... | -f FILENAME [-R] [-n NAMESPACE] [--dry-run=none|client|server]\n"
	"                     [--wait[=TIMEOUT]] [kubectl connection flags]",
	"Deletes what `kubectl feast apply` made for each store: in the store's namespace, every\n"
	"object of a kind render builds that carries its labels (feast.dev/name: NAME,\n"
	"app.kubernetes.io/managed-by: kubectl-feast), its ClusterRoleBinding (the one that\n"
	"binds its ServiceAccount), and the FeatureStore itself when apply --target operator sent\n"
	"it.  Each must have been applied by the field manager kubectl-feast: an object with the\n"
	"store's labels that another manager applied is listed as a warning and left.  Objects\n"
	"with a controller owner are left to the garbage collector.\n"
	"\n"
	"The objects stores share go with the last store that uses them: the token-review\n"
	"ClusterRole stays while any ClusterRoleBinding or RoleBinding not being deleted names it,\n"
	"and a namespace's feast-secret-merge ConfigMap while a Deployment or CronJob mounts it.\n"
	"\n"
	"NAMEs are stores in the namespace of -n (or the context's); with -f the FeatureStores\n"
	"of the input (checked as apply checks them) are deleted, in their own namespaces.  One\n"
	"line per object (deployment.apps/feast-x deleted), dependents first; deletions carry\n"
	"the object's uid as a precondition and propagation Background.  --wait then follows\n"
	"until the objects and the stores' pods are gone.\n"
	"\n"
	"Exit codes: 0 deleted, 1 a store has no object in the cluster (the others are still\n"
	"deleted) or an invalid spec, 2 usage, 3 cluster or API failure, 4 --wait timed out.",
	groups, run,
};

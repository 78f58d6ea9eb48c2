/* cmd_scale_live.c -- `kubectl feast scale NAME`: through the operator's FeatureStore, or the spec apply stored. */
#include "check.h"
#include "cli.h"
#include "doc.h"
#include "cli_cluster.h"
#include "scale.h"
#include "scale_rules.h"
#include "scale_target.h"

#include <inttypes.h>
#include <string.h>

struct live {
	struct rec_session s;
	const struct scale_args *a;
	const char *ns;
	enum rec_dry dry;
};

/* GET a path: *out is the object, or NULL when it (or its kind) does not exist. */
static const char *path_of(struct live *l, const char *api_version, const char *kind, const char *name)
{
	return kube_path(&l->s.a, kube_resource_builtin(api_version, kind), l->ns, name, NULL);
}

/* The ScaledObject or HPA in the namespace that owns the count through `aims`
 * (rules/scale_target.h), described for messages: `ScaledObject "feast-x" (namespace feast)`;
 * NULL when none. */
static int owner_of(struct live *l, unsigned aims, bool *hpa, const char **desc)
{
	struct node *sos, *hpas;
	*desc = NULL;
	if (rec_get_path(&l->s, path_of(l, "keda.sh/v1alpha1", "ScaledObject", NULL), NULL, &sos) < 0 ||
	    rec_get_path(&l->s, path_of(l, "autoscaling/v2", "HorizontalPodAutoscaler", NULL), NULL, &hpas) < 0)
		return -1;
	const struct node *it = scale_owner_find(sos, hpas, l->a->name, NULL, aims, hpa);
	if (it)
		*desc = arena_printf(&l->s.a, "%s \"%s\" (namespace %s)", *hpa ? "HorizontalPodAutoscaler" : "ScaledObject",
				     node_str_or(node_at(it, "metadata.name"), ""), l->ns);
	return 0;
}

/* Diagnostics about a live object point at it, not at a byte of its JSON. */
static void relocate(struct live *l, size_t from, const char *where)
{
	for (size_t i = from; i < l->s.d.n; i++)
		l->s.d.v[i].pos = (struct pos){ arena_strdup(&l->s.a, where), 0, 0 };
}

/* The rules of both scale modes, plus an HPA that the spec does not account for. */
static int refused(struct live *l, const struct node *fs, const char *where, const char *owner, bool hpa)
{
	size_t before = l->s.d.n;
	if (hpa && !node_at(fs, "spec.services.scaling.autoscaling")) {
		diag_error(&l->s.d, NULL, "", "%s owns the replica count of FeatureStore \"%s\" (an HPA scales it); change "
			   "its minReplicas/maxReplicas, or delete it to set a fixed count", owner, l->a->name);
		return 1;
	}
	size_t n = scale_check_rules(fs, l->a->replicas, hpa ? NULL : owner, &l->s.d);
	relocate(l, before, where);
	return n > 0;
}

static const char *suffix(enum rec_dry dry)
{
	return dry == REC_DRY_CLIENT ? " (dry run)" : dry == REC_DRY_SERVER ? " (server dry run)" : "";
}

/* {"spec":{"replicas":N}} to featurestores/NAME/scale, as kubectl scale sends it. */
static int write_scale(struct live *l)
{
	struct rec_session *s = &l->s;
	const struct kube_resource *res = kube_resource_builtin("feast.dev/v1", "FeatureStore");
	struct node *patch = node_map(&s->a, NULL);
	map_put(&s->a, map_child_map(&s->a, patch, "spec"), "replicas", node_int(&s->a, l->a->replicas));
	struct kube_req req = { .method = "PATCH", .path = kube_path(&s->a, res, l->ns, l->a->name, "scale"),
				.content_type = "application/merge-patch+json", .obj = patch,
				.query = l->dry == REC_DRY_SERVER ? "fieldManager=kubectl-feast&dryRun=All"
								  : "fieldManager=kubectl-feast" };
	struct kube_response r;
	if (rec_request(s, &req, &r) < 0)
		return -1;
	return kube_ok(&r) ? 0 : kube_fail(&s->d, &r);
}

/* The operator runs the store: check its spec, then write the scale subresource. */
static int scale_featurestore(struct live *l, const struct node *fs)
{
	struct rec_session *s = &l->s;
	const char *where = arena_printf(&s->a, "featurestore.feast.dev/%s", l->a->name);
	bool hpa = false;
	const char *owner;
	if (owner_of(l, SCALE_AIM_FEATURESTORE, &hpa, &owner) < 0)
		return EXIT_CLUSTER;
	if (refused(l, fs, where, owner, hpa))
		return EXIT_INVALID;
	int64_t now = 1;
	node_get_int(node_at(fs, "spec.replicas"), &now);
	if (now == l->a->replicas) {
		printf("%s unchanged%s\n", where, suffix(l->dry));
		return EXIT_OK;
	}
	if (l->dry != REC_DRY_CLIENT && write_scale(l) < 0)
		return EXIT_CLUSTER;
	printf("%s scaled%s\n", where, suffix(l->dry));
	return EXIT_OK;
}

static void set_replicas(struct arena *a, struct node *root, int64_t n)
{
	struct node *spec = map_child_map(a, root, "spec");
	if (map_has(spec, "replicas")) {
		map_set(a, spec, "replicas", node_int(a, n));
		return;
	}
	size_t at = 0;
	for (size_t i = 0; i < spec->u.map.n; i++)
		if (!strcmp(spec->u.map.v[i].key, "feastProject"))
			at = i + 1;
	map_insert(a, spec, at, "replicas", node_int(a, n));
}

/* Re-render the stored spec at the new count and apply it: strategy, spreading and the PDB
 * follow the count; what the new count no longer renders is pruned. */
static int rerender(struct live *l, struct doclist *docs, const struct render_flags *ro)
{
	struct rec_session *s = &l->s;
	struct rec_set set = { 0 };
	set_replicas(&s->a, docs->v[0].root, l->a->replicas);
	if (check_documents(&s->a, docs, &s->d) || rec_render(s, docs, ro, true, &set) < 0)
		return EXIT_INVALID;
	for (size_t i = 0; i < set.n; i++)
		set.v[i].scale_target = set.v[i].src == &docs->v[0] &&
					!strcmp(node_str_or(map_get(set.v[i].obj, "kind"), ""), "Deployment");
	s->conflict_hint = "another field manager changed fields that apply set (above): re-apply the store with "
			   "`kubectl feast apply --force-conflicts` to take them back, or undo the other change";
	if (rec_resolve(s, &set) < 0)
		return EXIT_CLUSTER;
	/* A store applied with --applyset stays in its set. */
	if (rec_check_bindings(s, &set) < 0)
		return EXIT_INVALID;
	if (rec_applyset_keep(s, &set) < 0 || rec_apply_all(s, &set, l->dry, false, false, stdout) < 0 ||
	    rec_prune_all(s, &set, l->dry, stdout) < 0)
		return EXIT_CLUSTER;
	return EXIT_OK;
}

/* No operator: the spec `apply` stored on the Deployment is the only safe source. */
static int scale_stored(struct live *l, const struct node *dep)
{
	struct rec_session *s = &l->s;
	const char *where = arena_printf(&s->a, "deployment.apps/feast-%s", l->a->name);
	struct doclist docs = { 0 };
	struct render_flags ro;
	int got = rec_stored_spec(s, dep, &docs, &ro);
	if (got < 0)
		return EXIT_INVALID;
	if (got == 0) {
		diag_error(&s->d, NULL, "",
			   "%s carries no spec stored by `kubectl feast apply` (annotation %s): it was deployed "
			   "from rendered manifests, so a live change would be undone by the next sync; change "
			   "the count in Git with `kubectl feast scale -f FILE --replicas=%" PRId64 "`",
			   where, REC_ANN_SPEC, l->a->replicas);
		return EXIT_INVALID;
	}
	bool hpa = false;
	const char *owner;
	if (owner_of(l, SCALE_AIM_DEPLOYMENT, &hpa, &owner) < 0)
		return EXIT_CLUSTER;
	if (refused(l, docs.v[0].root, docs.v[0].file, owner, hpa))
		return EXIT_INVALID;
	return rerender(l, &docs, &ro);
}

static int run_live(struct live *l)
{
	struct rec_session *s = &l->s;
	if (rec_config(s) < 0)
		return EXIT_CLUSTER;
	rec_print(s);
	if (rec_connect(s) < 0)
		return EXIT_CLUSTER;
	l->ns = s->cfg.namespace;
	struct node *fs, *dep = NULL;
	if (rec_get_path(s, path_of(l, "feast.dev/v1", "FeatureStore", l->a->name), NULL, &fs) < 0)
		return EXIT_CLUSTER;
	if (fs)
		return scale_featurestore(l, fs);
	const char *dep_path = path_of(l, "apps/v1", "Deployment", arena_printf(&s->a, "feast-%s", l->a->name));
	if (rec_get_path(s, dep_path, NULL, &dep) < 0)
		return EXIT_CLUSTER;
	if (dep)
		return scale_stored(l, dep);
	diag_error(&s->d, NULL, "", "no FeatureStore \"%s\" and no Deployment \"feast-%s\" in namespace \"%s\"",
		   l->a->name, l->a->name, l->ns);
	return EXIT_CLUSTER;
}

int scale_live(const struct scale_args *a)
{
	struct live l;
	memset(&l, 0, sizeof(l));
	rec_init(&l.s);
	l.s.kf = a->kube;
	l.a = a;
	l.dry = a->dry_run == SCALE_DRY_RUN_SERVER ? REC_DRY_SERVER
		: a->dry_run == SCALE_DRY_RUN_CLIENT ? REC_DRY_CLIENT
						     : REC_DRY_NONE;
	int rc = run_live(&l);
	if (fflush(stdout) != 0 && rc == EXIT_OK) {
		diag_error(&l.s.d, NULL, "", "writing the output failed");
		rc = EXIT_CLUSTER;
	}
	rec_print(&l.s);
	rec_free(&l.s);
	return rc;
}

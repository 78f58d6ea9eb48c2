/* cmd_doctor.c -- `kubectl feast doctor NAME`: fetch a live store's objects, judge them, print the findings. */
#include "buf.h"
#include "cli.h"
#include "doc.h"
#include "doctor.h"
#include "kube_util.h"
#include "lint.h"
#include "cli_cluster.h"
#include "scale_target.h"
#include "yaml_in.h"

#include <string.h>

enum { OPT_OUTPUT = 1, OPT_LOCK_WAIT };

static const struct opt doctor_opts[] = {
	{ "output", 'o', OPT_VALUE, OPT_OUTPUT, "FORMAT", "text|json", "text",
	  "Findings as text lines or a JSON array, as lint prints them.", 0 },
	{ "lock-wait", 0, OPT_VALUE, OPT_LOCK_WAIT, "DURATION", NULL, "5m",
	  "How long waiting on, or holding, the registry lock may last before it is a finding (1s, 2m, 1h).", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { doctor_opts, kube_flag_opts, help_opts, NULL };

struct doctor_args {
	struct rec_session s;
	enum lint_format format;
	long long lock_wait_ms;
	const char *name, *ns;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct doctor_args *v = ctx;
	if (o->id == OPT_OUTPUT)
		v->format = !strcmp(value, "json") ? LINT_JSON : LINT_TEXT;
	if (o->id == OPT_LOCK_WAIT && (!kube_parse_timeout(value, &v->lock_wait_ms) || v->lock_wait_ms <= 0)) {
		snprintf(err, errlen, "invalid argument \"%s\" for \"--lock-wait\": a duration such as 90s or 5m", value);
		return -1;
	}
	return 0;
}

static const char *path_of(struct doctor_args *v, const char *api_version, const char *kind, const char *name)
{
	return kube_path(&v->s.a, kube_resource_builtin(api_version, kind), v->ns, name, NULL);
}

/* Findings about a live object name the object, not a byte of the JSON it came in. */
static void relocate(struct node *n, const char *where)
{
	if (!n)
		return;
	n->pos = (struct pos){ where, 0, 0 };
	node_map_each(n, p)
		relocate(p->val, where);
	node_seq_each(n, item)
		relocate(item, where);
}

static void add_doc(struct arena *a, struct doclist *docs, struct node *root, const char *where)
{
	if (!root)
		return;
	if (docs->n == docs->cap) {
		size_t cap = docs->cap ? docs->cap * 2 : 4;
		struct document *nv = arena_alloc(a, cap * sizeof(*nv));
		if (docs->n)
			memcpy(nv, docs->v, docs->n * sizeof(*nv));
		docs->v = nv, docs->cap = cap;
	}
	relocate(root, where);
	docs->v[docs->n++] = (struct document){ .root = root, .file = where, .index = (unsigned)docs->n };
}

/* What the store is made of: the FeatureStore (live, or the spec apply stored on the Deployment). */
struct live_store {
	struct node *fs, *dep, *spec;   /* spec: fs, else the stored spec; may be NULL */
	const char *spec_where;
	struct node *pods, *pdb, *hpas, *sos, *lease;
};

static int fetch(struct doctor_args *v, struct live_store *ls)
{
	struct rec_session *s = &v->s;
	struct arena *a = &s->a;
	struct buf q = BUF_INIT;
	kube_query_add(&q, "labelSelector", arena_printf(a, "feast.dev/name=%s", v->name));
	const char *sel = arena_strdup(a, q.data);
	buf_release(&q);
	const char *dep_name = arena_printf(a, "feast-%s", v->name);
	if (rec_get_path(s, path_of(v, "feast.dev/v1", "FeatureStore", v->name), NULL, &ls->fs) < 0 ||
	    rec_get_path(s, path_of(v, "apps/v1", "Deployment", dep_name), NULL, &ls->dep) < 0)
		return EXIT_CLUSTER;
	if (!ls->fs && !ls->dep) {
		diag_error(&s->d, NULL, "", "no FeatureStore \"%s\" and no Deployment \"feast-%s\" in namespace \"%s\"",
			   v->name, v->name, v->ns);
		return EXIT_INVALID;
	}
	if (rec_get_path(s, path_of(v, "v1", "Pod", NULL), sel, &ls->pods) < 0 ||
	    rec_get_path(s, path_of(v, "policy/v1", "PodDisruptionBudget", dep_name), NULL, &ls->pdb) < 0 ||
	    rec_get_path(s, path_of(v, "autoscaling/v2", "HorizontalPodAutoscaler", NULL), NULL, &ls->hpas) < 0 ||
	    rec_get_path(s, path_of(v, "keda.sh/v1alpha1", "ScaledObject", NULL), NULL, &ls->sos) < 0 ||
	    rec_get_path(s, path_of(v, "coordination.k8s.io/v1", "Lease", doctor_lease_name(a, ls->dep, v->name)),
			 NULL, &ls->lease) < 0)
		return EXIT_CLUSTER;
	ls->spec = ls->fs;
	ls->spec_where = arena_printf(a, "featurestore.feast.dev/%s", v->name);
	if (!ls->fs) {
		struct doclist stored = { 0 };
		struct render_flags ro;
		if (rec_stored_spec(s, ls->dep, &stored, &ro) < 0)
			return EXIT_CLUSTER;
		ls->spec = stored.n ? stored.v[0].root : NULL;
		ls->spec_where = arena_printf(a, "deployment.apps/%s[%s]", dep_name, REC_ANN_SPEC);
	}
	return EXIT_OK;
}

/* The lint rules on the live objects: the store's spec, its ScaledObject and, when apply made
 * it (no FeatureStore: the operator's Deployment carries no sidecar), its Deployment. */
static void lint_live(struct doctor_args *v, struct live_store *ls, struct diags *found)
{
	struct arena *a = &v->s.a;
	struct doclist docs = { 0 };
	bool hpa;
	const struct node *so = scale_owner_find(ls->sos, NULL, v->name, NULL, SCALE_AIM_ANY, &hpa);
	add_doc(a, &docs, ls->spec, ls->spec_where);
	if (so)
		add_doc(a, &docs, (struct node *)so,
			arena_printf(a, "scaledobject.keda.sh/%s", node_str_or(node_at(so, "metadata.name"), "")));
	if (!ls->fs)
		add_doc(a, &docs, ls->dep, arena_printf(a, "deployment.apps/feast-%s", v->name));
	struct lint_opts o = { .target_operator = ls->fs != NULL };
	lint_documents(a, &docs, &o, found);
}

/* Look up each Secret and ConfigMap the store names.  One we may not read is left out with a
 * warning: doctor says what it cannot see rather than fail. */
static int check_refs(struct doctor_args *v, struct live_store *ls, struct doctor_refs *refs)
{
	struct rec_session *s = &v->s;
	doctor_refs(&s->a, ls->spec, ls->spec_where, refs);
	doctor_refs(&s->a, ls->dep, arena_printf(&s->a, "deployment.apps/feast-%s", v->name), refs);
	for (size_t i = 0; i < refs->n; i++) {
		struct doctor_ref *r = &refs->v[i];
		struct node *obj;
		size_t before = s->d.n;
		if (rec_get_path(s, path_of(v, "v1", r->kind, r->name), NULL, &obj) < 0) {
			rec_drop_diags(s, before);
			diag_warn(&s->d, NULL, "", "cannot read %s \"%s\" to check that it exists; left out", r->kind, r->name);
			r->exists = true;
			continue;
		}
		r->exists = obj != NULL;
	}
	return 0;
}

static int doctor_run(struct doctor_args *v)
{
	struct rec_session *s = &v->s;
	if (rec_config(s) < 0)
		return EXIT_CLUSTER;
	rec_print(s);
	if (rec_connect(s) < 0)
		return EXIT_CLUSTER;
	v->ns = s->cfg.namespace;
	struct live_store ls = { 0 };
	int rc = fetch(v, &ls);
	if (rc != EXIT_OK)
		return rc;
	struct diags found;
	diags_init(&found, &s->a);
	struct doctor_refs refs = { 0 };
	check_refs(v, &ls, &refs);
	lint_live(v, &ls, &found);
	struct doctor_input in = { .store = v->name, .pods = ls.pods, .pdb = ls.pdb, .hpas = ls.hpas,
				   .lease = ls.lease, .refs = &refs, .now_ms = kube_wall_ms(),
				   .lock_wait_ms = v->lock_wait_ms };
	doctor_judge(&s->a, &in, &found);
	rec_print(s);
	struct buf b = BUF_INIT;
	const struct lint_ruleset sets[] = { { doctor_rules, doctor_rule_count }, { lint_rules, lint_rule_count } };
	lint_format_with(&b, &found, v->format, feast_version(), sets, 2);
	if (v->format == LINT_TEXT && !found.n)
		buf_addf(&b, "%s/%s: no findings\n", v->ns, v->name);
	fputs(b.data ? b.data : "", stdout);
	buf_release(&b);
	if (fflush(stdout) != 0) {
		diag_error(&s->d, NULL, "", "writing the findings failed");
		return EXIT_CLUSTER;
	}
	return found.n ? EXIT_INVALID : EXIT_OK;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct doctor_args v;
	memset(&v, 0, sizeof(v));
	v.lock_wait_ms = 5 * 60 * 1000;
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = rec_parse(cmd, argc, argv, on_opt, &v, &v.s, &args);
	if (rc == CMD_RUN && !args.n)
		rc = usage_error(cmd, "must name the FeatureStore: kubectl feast doctor NAME");
	if (rc == CMD_RUN && args.n > 1)
		rc = usage_error(cmd, "unexpected argument \"%s\"", args.v[1]);
	if (rc == CMD_RUN) {
		v.name = args.v[0];
		rc = doctor_run(&v);
	}
	return rec_finish(&v.s, rc);
}

const struct command cmd_doctor = {
	"doctor",
	"Find what is wrong with a live store, and say how to fix it.",
	"kubectl feast doctor NAME [-o text|json] [--lock-wait DURATION] [kubectl connection flags]",
	"NAME is the FeatureStore's name, whether `apply` or the Feast operator runs it.  The lint\n"
	"rules run on the live spec (the FeatureStore, or the spec apply stored on the Deployment),\n"
	"its ScaledObject and its Deployment; then what only the cluster knows: containers waiting\n"
	"(image-pull, crash-loop, container-waiting), feast-apply waiting on the registry lock longer\n"
	"than --lock-wait and who holds it (lock-wait), a Lease whose holder stopped renewing it\n"
	"(lease-expired) or has held it longer than --lock-wait (lease-held-long), a PodDisruptionBudget\n"
	"that allows no eviction (pdb-blocked), an HPA that cannot read its metrics or is not scaling\n"
	"(hpa-metrics, hpa-inactive), Secrets and ConfigMaps the spec or the pods name that do not\n"
	"exist (ref-missing) and pods that are not Ready, with the reason (pod-not-ready).  Each\n"
	"finding names the object, the field, the rule and its fix.\n"
	"\n"
	"Exit codes: 0 no findings, 1 findings (or no such store, as kubectl get), 2 usage, 3 cluster\n"
	"or API failure.",
	groups, run,
};

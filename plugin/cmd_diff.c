/* cmd_diff.c -- `kubectl feast diff`: what `apply` would change, limited to the fields this tool manages. */
#include "buf.h"
#include "cli.h"
#include "doc.h"
#include "fieldset.h"
#include "cli_cluster.h"
#include "udiff.h"
#include "yaml_out.h"

#include <string.h>

/* kubectl diff's exit codes: 0 same, 1 different, errors above 1. */
enum { DIFF_SAME = 0, DIFF_DIFFERENT = 1, DIFF_USAGE = 2, DIFF_CLUSTER = 3, DIFF_INVALID = 4 };

enum { OPT_PRUNE = 1, OPT_FORCE, OPT_APPLYSET, OPT_CONCURRENCY };

static const struct opt diff_opts[] = {
	FILE_ARGS_OPTS,
	{ "prune", 0, OPT_BOOL, OPT_PRUNE, NULL, NULL, "false",
	  "Also show the objects `apply --prune` would delete.", 0 },
	{ "applyset", 0, OPT_VALUE, OPT_APPLYSET, "[RESOURCE/]NAME", NULL, NULL,
	  "With --prune: compare as `apply --prune --applyset` would apply, showing as deletions the "
	  "members of that ApplySet its prune would delete (stores that left the input included).", 0 },
	{ "force-conflicts", 0, OPT_BOOL, OPT_FORCE, NULL, NULL, "false",
	  "Show the result of taking over fields other managers own, instead of failing with a conflict.", 0 },
	CONCURRENCY_OPT(OPT_CONCURRENCY, "Requests in flight at most (every GET, then every dry-run apply); "
					 "the diffs still come out in input order."),
	OPT_END,
};

static const struct opt *const groups[] = { diff_opts, render_flag_opts, kube_flag_opts, help_opts, NULL };

struct diff_args {
	struct rec_session s;
	struct file_args files;
	struct render_flags ro;
	bool prune, force;
	bool differ;
	const char *applyset;
	struct applyset_ref parent;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct diff_args *v = ctx;
	bool on = !value || strcmp(value, "true") == 0;
	switch (o->id) {
	case OPT_PRUNE:
		v->prune = on;
		return 0;
	case OPT_FORCE:
		v->force = on;
		return 0;
	case OPT_APPLYSET:
		v->applyset = value;
		return applyset_parse_ref(&v->s.a, value, &v->parent, err, errlen);
	case OPT_CONCURRENCY:
		return rec_concurrency_set(&v->s, value, err, errlen);
	}
	return 0;
}

/* kubectl's file name for an object: [group.]version.Kind.namespace.name. */
static const char *diff_name(struct arena *a, const struct rec_obj *o)
{
	return arena_printf(a, "%s%s%s.%s.%s.%s", o->res.group, *o->res.group ? "." : "", o->res.version, o->res.kind,
			    o->ns, o->name);
}

/* Secret values never reach the terminal: "***", or "*** (before)" / "*** (after)" for a
 * key whose value changes (kubectl diff's masking). */
static void mask_secret(struct arena *a, struct node *live, struct node *merged)
{
	static const char *const fields[] = { "data", "stringData" };
	for (size_t f = 0; f < 2; f++) {
		struct node *l = map_get(live, fields[f]), *m = map_get(merged, fields[f]);
		node_map_each(l, p) {
			struct pair *q = map_find(m, p->key);
			bool changed = q && !node_equal(p->val, q->val);
			p->val = node_str(a, changed ? "*** (before)" : "***");
			if (q)
				q->val = node_str(a, changed ? "*** (after)" : "***");
		}
		node_map_each(m, q)
			if (!map_has(l, q->key))
				q->val = node_str(a, "***");
	}
}

/* The object cut down to `set`, led by its identity (apiVersion, kind, name, namespace). */
static struct node *view(struct arena *a, const struct rec_obj *o, const struct node *obj, const struct node *set)
{
	if (!obj)
		return NULL;
	struct node *proj = fieldset_project(a, obj, set);
	struct node *out = node_map(a, NULL);
	map_put(a, out, "apiVersion", node_str(a, *o->res.group ? arena_printf(a, "%s/%s", o->res.group, o->res.version)
								 : o->res.version));
	map_put(a, out, "kind", node_str(a, o->res.kind));
	struct node *meta = node_map(a, NULL);
	map_put(a, meta, "name", node_str(a, o->name));
	if (*o->ns)
		map_put(a, meta, "namespace", node_str(a, o->ns));
	map_put(a, out, "metadata", meta);
	node_map_each(proj, p) {
		if (!strcmp(p->key, "metadata")) {
			node_map_each(p->val, m)
				map_set(a, meta, m->key, m->val);
		} else if (strcmp(p->key, "apiVersion") && strcmp(p->key, "kind")) {
			map_put(a, out, p->key, p->val);
		}
	}
	return out;
}

static void show(struct diff_args *v, const struct rec_obj *o, struct node *live, struct node *merged)
{
	struct arena *a = &v->s.a;
	struct buf lt = BUF_INIT, mt = BUF_INIT, out = BUF_INIT;
	if (!strcmp(o->res.kind, "Secret") && !*o->res.group)
		mask_secret(a, live, merged);
	if (live)
		yaml_emit_one(&lt, live);
	if (merged)
		yaml_emit_one(&mt, merged);
	const char *name = diff_name(a, o);
	const char *ln = arena_printf(a, "live/%s", name), *mn = arena_printf(a, "merged/%s", name);
	if (udiff(&out, ln, lt.data, lt.len, mn, mt.data, mt.len, 3)) {
		printf("diff -u -N %s %s\n%s", ln, mn, out.data);
		v->differ = true;
	}
	buf_release(&lt);
	buf_release(&mt);
	buf_release(&out);
}

/* A Secret's stringData is write-only: the API server moves it into data, while the field
 * set still names stringData. So the keys we own under stringData count under data too,
 * or a real server's answer would show no values at all, not even masked. */
static struct node *secret_fields(struct arena *a, const struct rec_obj *o, struct node *set)
{
	if (strcmp(o->res.kind, "Secret") || *o->res.group)
		return set;
	struct node *sd = map_get(set, "f:stringData");
	if (!sd || sd->kind != NODE_MAP)
		return set;
	struct node *extra = node_map(a, NULL);
	map_put(a, extra, "f:data", sd);
	return fieldset_union(a, set, extra);
}

static void diff_object(struct diff_args *v, struct rec_obj *o)
{
	struct arena *a = &v->s.a;
	struct node *set = secret_fields(a, o, fieldset_union(a, fieldset_of(a, o->live, REC_FIELD_MANAGER),
							     fieldset_of(a, o->result, REC_FIELD_MANAGER)));
	show(v, o, view(a, o, o->live, set), view(a, o, o->result, set));
}

/* What apply --prune would delete: by the stores' labels, or the ApplySet's members. */
static int diff_pruned(struct diff_args *v, const struct rec_set *set, const struct rec_applyset *as)
{
	struct rec_set cands;
	if ((as ? rec_applyset_find(&v->s, set, as, &cands) : rec_prune_find(&v->s, set, &cands)) < 0)
		return -1;
	for (size_t i = 0; i < cands.n; i++) {
		struct rec_obj *o = &cands.v[i];
		show(v, o, view(&v->s.a, o, o->live,
				secret_fields(&v->s.a, o, fieldset_of(&v->s.a, o->live, REC_FIELD_MANAGER))), NULL);
	}
	return 0;
}

static int diff_run(struct diff_args *v)
{
	struct rec_session *s = &v->s;
	struct rec_set set = { 0 };
	int bad = rec_prepare(s, &v->files, &v->ro, &set);
	if (bad)
		return bad == REC_BAD_INPUT ? DIFF_INVALID : DIFF_CLUSTER;
	if (rec_check_bindings(s, &set) < 0)
		return DIFF_INVALID;
	struct rec_applyset as;
	if (v->applyset ? rec_applyset_plan(s, &set, &v->parent, &as) < 0 : rec_applyset_keep(s, &set) < 0)
		return DIFF_CLUSTER;
	enum rec_verb *verbs = arena_alloc(&s->a, (set.n + 1) * sizeof(*verbs));
	if (rec_dry_all(s, &set, REC_DRY_SERVER, v->force, verbs) < 0)
		return DIFF_CLUSTER;
	for (size_t i = 0; i < set.n; i++)
		diff_object(v, &set.v[i]);
	if (v->prune && diff_pruned(v, &set, v->applyset ? &as : NULL) < 0)
		return DIFF_CLUSTER;
	if (fflush(stdout) != 0) {
		diag_error(&s->d, NULL, "", "writing the diff failed");
		return DIFF_CLUSTER;
	}
	return v->differ ? DIFF_DIFFERENT : DIFF_SAME;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct diff_args v;
	memset(&v, 0, sizeof(v));
	/* Its usage and help exit codes are kubectl diff's and everyone's: 2 and 0. */
	int rc = rec_parse_inputs(cmd, argc, argv, on_opt, &v, &v.s, &v.files, &v.ro);
	if (rc == CMD_RUN && v.applyset && !v.prune)
		rc = usage_error(cmd, "--applyset requires --prune");
	return rec_finish(&v.s, rc == CMD_RUN ? diff_run(&v) : rc);
}

const struct command cmd_diff = {
	"diff",
	"Show what `apply` would change in the cluster, limited to the fields this tool manages.",
	"kubectl feast diff -f FILENAME [-R] [--prune [--applyset=NAME]] [--force-conflicts] [--concurrency N]\n"
	"                   [--target standalone|operator] [render flags: --image --sidecar ...]\n"
	"                   [kubectl connection flags]",
	"The inputs are checked and rendered as `apply` would; each object is then sent as a\n"
	"server-side apply dry run (nothing is stored) and the answer is compared with the live\n"
	"object.  Both are cut down to the fields the field manager \"kubectl-feast\" owns before or\n"
	"after, so fields set by others (an HPA's replica count, server defaults, status) never show.\n"
	"The output is a unified diff per object, live/NAME against merged/NAME with NAME as\n"
	"kubectl diff names it ([group.]version.Kind.namespace.name); Secret values are masked.\n"
	"The GETs and the dry runs go several at a time (--concurrency); the diffs come out in\n"
	"input order.\n"
	"\n"
	"--prune adds, as deletions, what `apply --prune` would delete; with --applyset=NAME,\n"
	"what `apply --prune --applyset=NAME` would: every member of that ApplySet the input no\n"
	"longer holds (shared objects still in use stay), and the objects show the ApplySet's\n"
	"part-of label.  Without --applyset, objects that are members of an ApplySet keep their\n"
	"label, as `apply` keeps it.\n"
	"\n"
	"Exit codes (as kubectl diff): 0 no differences, 1 differences, 2 usage, 3 cluster or API\n"
	"failure, 4 invalid spec.",
	groups, run,
};

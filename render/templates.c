/* templates.c -- parse the embedded object skeletons once per render call. */
#include "arena.h"
#include "diag.h"
#include "doc.h"
#include "embedded.h"
#include "render_int.h"
#include "yaml_in.h"

#include <stdint.h>
#include <string.h>

extern const struct embedded_file feast_templates[];

static const char *const tmpl_files[T_COUNT] = {
	[T_SERVICEACCOUNT] = "serviceaccount.yaml",
	[T_ROLE] = "role.yaml",
	[T_ROLEBINDING] = "rolebinding.yaml",
	[T_CLUSTERROLE] = "clusterrole.yaml",
	[T_CLUSTERROLEBINDING] = "clusterrolebinding.yaml",
	[T_CONFIGMAP] = "configmap.yaml",
	[T_PVC] = "persistentvolumeclaim.yaml",
	[T_SERVICE] = "service.yaml",
	[T_DEPLOYMENT] = "deployment.yaml",
	[T_CONTAINER] = "container.yaml",
	[T_HPA] = "horizontalpodautoscaler.yaml",
	[T_PDB] = "poddisruptionbudget.yaml",
	[T_SCALEDOBJECT] = "scaledobject.yaml",
	[T_CRONJOB] = "cronjob.yaml",
	[T_RULES_AUTHZ] = "rules/authorization.yaml",
	[T_RULES_TOKEN_REVIEW] = "rules/token-review.yaml",
	[T_RULES_OIDC] = "rules/oidc-token-review.yaml",
	[T_RULES_CRONJOB] = "rules/cronjob.yaml",
	[T_SIDECAR] = "sidecar.yaml",
	[T_RULES_SIDECAR] = "rules/sidecar.yaml",
	[T_RULES_SIDECAR_GATE] = "rules/sidecar-gate.yaml",
	[T_RULES_SPARK_SERVER] = "rules/spark-application-server.yaml",
	[T_RULES_SPARK_DRIVER] = "rules/spark-application-driver.yaml",
	[T_SERVICEMONITOR] = "servicemonitor.yaml",
	[T_ROUTE] = "route.yaml",
	[T_RULES_NAMESPACE_REGISTRY] = "rules/namespace-registry.yaml",
	[T_SHARD_JOB] = "materialize-shards.yaml",
	[T_FRAG_ANTI_AFFINITY] = "fragments/anti-affinity.yaml",
	[T_FRAG_ZONE_SPREAD] = "fragments/zone-spread.yaml",
	[T_FRAG_STRATEGY] = "fragments/deployment-strategy.yaml",
	[T_FRAG_SERVER_PROBES] = "fragments/server-probes.yaml",
	[T_FRAG_SIDECAR_POD] = "fragments/sidecar-pod.yaml",
};

static const struct embedded_file *find(const char *name, struct diags *d)
{
	const struct embedded_file *f = embedded_find(feast_templates, name);
	if (!f) {
		struct pos pos = { name, 0, 0 };
		diag_error(d, &pos, "", "template missing from the binary (build problem)");
	}
	return f;
}

int templates_load(struct arena *a, struct templates *tm, struct diags *d)
{
	memset(tm, 0, sizeof(*tm));
	for (int i = 0; i < T_COUNT; i++) {
		const struct embedded_file *f = find(tmpl_files[i], d);
		struct doclist l = { 0 };
		if (!f || yaml_parse(a, f->name, f->data, f->len, NULL, &l, d) < 0)
			return -1;
		if (l.n != 1) {
			struct pos pos = { f->name, 0, 0 };
			diag_error(d, &pos, "", "a template holds exactly one document");
			return -1;
		}
		tm->t[i] = l.v[0].root;
	}
	const struct embedded_file *py = find("scripts/secret-merge.py", d);
	if (!py)
		return -1;
	tm->secret_merge = py->data;
	/* FNV-1a: a new script gets a new name, so pods move to it only as their
	 * Deployments change, and the old ones keep theirs meanwhile. */
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < py->len; i++)
		h = (h ^ (unsigned char)py->data[i]) * 0x100000001b3ull;
	tm->merge_cm = arena_printf(a, "feast-secret-merge-%010llx", (unsigned long long)(h >> 24));
	const struct embedded_file *shard = find("scripts/materialize-shard.py", d);
	if (!shard)
		return -1;
	tm->shard_script = arena_strndup(a, shard->data, shard->len);
	return 0;
}

struct node *tmpl_clone_part(struct render_ctx *r, enum tmpl_id id, const char *key)
{
	const struct node *part = map_get(r->tm.t[id], key);
	return part ? node_clone(r->a, part) : NULL;
}

/* The template table is in creation order (an object after those it names), so the
 * kinds come out in it too: a caller that deletes walks them backwards. */
int render_kinds(struct arena *a, struct render_kind **out, size_t *n, struct diags *d)
{
	struct templates tm;
	if (templates_load(a, &tm, d) < 0)
		return -1;
	struct render_kind *v = arena_alloc(a, T_COUNT * sizeof(*v));
	size_t k = 0;
	for (int i = 0; i < T_COUNT; i++) {
		const char *api = node_str_or(map_get(tm.t[i], "apiVersion"), NULL);
		const char *kind = node_str_or(map_get(tm.t[i], "kind"), NULL);
		if (!api || !kind)
			continue; /* a fragment (a container, RBAC rules), not an object */
		bool seen = false;
		for (size_t j = 0; j < k; j++)
			seen |= !strcmp(v[j].kind, kind) && !strcmp(v[j].api_version, api);
		if (!seen)
			v[k++] = (struct render_kind){ api, kind };
	}
	*out = v;
	*n = k;
	return 0;
}

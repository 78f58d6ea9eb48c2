/* obj_pvc.c -- PersistentVolumeClaims for every `pvc.create`, with the operator's default sizes. */
#include "arena.h"
#include "doc.h"
#include "render_int.h"

static void pvc(struct render_ctx *r, struct store *st, const struct persist *p, enum srv s,
		const char *dflt_size)
{
	if (!p->pvc.on || !p->pvc.create)
		return;
	const struct node *cfg = p->pvc.create_cfg;
	struct node *obj = obj_new(r, st, T_PVC, arena_printf(r->a, "%s-%s", st->fs.feast_name, srv_names[s]),
				   true, srv_names[s], srv_names[s]);
	struct node *spec = map_get(obj, "spec");
	const struct node *modes = map_get(cfg, "accessModes");
	if (node_is_empty(modes)) {
		static const char *const rwo[] = { "ReadWriteOnce" };
		map_set(r->a, spec, "accessModes", strs_node(r, rwo, 1));
	} else {
		set_user(r, spec, "accessModes", modes);
	}
	set_user(r, spec, "storageClassName", map_get(cfg, "storageClassName"));
	struct node *res = user_copy(r, map_get(cfg, "resources"));
	if (!res || res->kind != NODE_MAP)
		res = node_map(r->a, NULL);
	struct node *req = map_child_map(r->a, res, "requests");
	if (!map_has(req, "storage"))
		map_put(r->a, req, "storage", str_node(r, dflt_size));
	map_set(r->a, spec, "resources", res);
	obj_emit(r, st, obj);
}

void build_pvcs(struct render_ctx *r, struct store *st)
{
	/* Offline gets 20Gi as in the operator's code (its field doc says 10Gi). */
	pvc(r, st, &st->fs.online, SRV_ONLINE, "5Gi");
	pvc(r, st, &st->fs.offline, SRV_OFFLINE, "20Gi");
	pvc(r, st, &st->fs.registry, SRV_REGISTRY, "5Gi");
}

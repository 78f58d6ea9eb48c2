/* obj_hpa.c -- HorizontalPodAutoscaler feast-<name> (autoscaling/v2) for services.scaling.autoscaling. */
#include "doc.h"
#include "render_int.h"

void build_hpa(struct render_ctx *r, struct store *st)
{
	const struct fs *fs = &st->fs;
	const struct node *as = fs->autoscaling;
	if (!as)
		return;
	struct node *hpa = obj_new(r, st, T_HPA, fs->feast_name, true, NULL, "feature-server");
	struct node *spec = map_get(hpa, "spec");
	map_set(r->a, map_get(spec, "scaleTargetRef"), "name", str_node(r, fs->feast_name));
	set_user(r, spec, "minReplicas", map_get(as, "minReplicas"));
	set_user(r, spec, "maxReplicas", map_get(as, "maxReplicas"));
	/* The template's CPU 80% stays unless the user lists metrics. */
	set_user(r, spec, "metrics", map_get(as, "metrics"));
	set_user(r, spec, "behavior", map_get(as, "behavior"));
	obj_emit(r, st, hpa);
}

/* obj_pdb.c -- PodDisruptionBudget feast-<name>: only when configured and the store scales. */
#include "doc.h"
#include "render_int.h"

void build_pdb(struct render_ctx *r, struct store *st)
{
	const struct fs *fs = &st->fs;
	/* Never injected by default: a PDB on one replica would block node drains. */
	if (!fs->pdb || !fs->scaling)
		return;
	struct node *pdb = obj_new(r, st, T_PDB, fs->feast_name, true, NULL, "feature-server");
	struct node *spec = map_get(pdb, "spec");
	set_user(r, spec, "minAvailable", map_get(fs->pdb, "minAvailable"));
	set_user(r, spec, "maxUnavailable", map_get(fs->pdb, "maxUnavailable"));
	map_set(r->a, map_get(spec, "selector"), "matchLabels", selector_new(r, fs));
	obj_emit(r, st, pdb);
}

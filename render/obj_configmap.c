/* obj_configmap.c -- ConfigMap feast-<name>-client: feature_store.yaml for clients. */
#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "render_int.h"
#include "yaml_out.h"

void build_client_configmap(struct render_ctx *r, struct store *st)
{
	struct buf text = BUF_INIT;
	yaml_emit_one(&text, client_repo_config(r, st));
	struct node *cm = obj_new(r, st, T_CONFIGMAP, arena_printf(r->a, "%s-client", st->fs.feast_name),
				  true, "client", "client");
	struct node *data = node_map(r->a, NULL);
	map_put(r->a, data, "feature_store.yaml", node_scalar(r->a, NULL, text.data, text.len, SCALAR_STR,
								STYLE_LITERAL));
	map_set(r->a, cm, "data", data);
	buf_release(&text);
	obj_emit(r, st, cm);
}

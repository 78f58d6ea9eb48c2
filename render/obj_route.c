/* obj_route.c -- Route feast-<name>-ui: the UI outside the cluster, on OpenShift. */
#include "arena.h"
#include "doc.h"
#include "render_int.h"

/* The operator's services.go createRoute and setRoute, which run only on OpenShift: the
 * UI Service's target port, re-encrypted (and HTTP redirected) when the UI serves TLS. */
void build_route(struct render_ctx *r, struct store *st)
{
	const struct fs *fs = &st->fs;
	const struct server *ui = &fs->srv[SRV_UI];
	if (!r->opts->openshift || !ui->on)
		return;
	const char *name = arena_printf(r->a, "%s-ui", fs->feast_name);
	struct node *route = obj_new(r, st, T_ROUTE, name, true, "ui", "ui");
	struct node *spec = map_get(route, "spec");
	map_set(r->a, map_get(spec, "to"), "name", str_node(r, name));
	map_set(r->a, map_get(spec, "port"), "targetPort", int_node(r, ui->port));
	if (ui->tls.on) {
		struct node *tls = node_map(r->a, NULL);
		map_put(r->a, tls, "termination", str_node(r, "reencrypt"));
		map_put(r->a, tls, "insecureEdgeTerminationPolicy", str_node(r, "Redirect"));
		map_set(r->a, spec, "tls", tls);
	}
	obj_emit(r, st, route);
}

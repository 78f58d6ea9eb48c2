/* obj_servicemonitor.c -- ServiceMonitor feast-<name>-online for the online server's metrics. */
#include "arena.h"
#include "doc.h"
#include "render_int.h"

/* The operator applies it when the Prometheus Operator's CRD exists (service_monitor.go:
 * createOrDeleteServiceMonitor); offline, --prometheus-operator says so. */
void build_servicemonitor(struct render_ctx *r, struct store *st)
{
	const struct fs *fs = &st->fs;
	if (!r->opts->prometheus_operator || !fs->srv[SRV_ONLINE].on || !fs->metrics_port)
		return;
	struct node *sm = obj_new(r, st, T_SERVICEMONITOR, arena_printf(r->a, "%s-online", fs->feast_name), true,
				  "online", "online");
	struct node *match = selector_new(r, fs);
	map_put(r->a, match, "feast.dev/service-type", str_node(r, "online"));
	map_set(r->a, node_at(sm, "spec.selector"), "matchLabels", match);
	obj_emit(r, st, sm);
}

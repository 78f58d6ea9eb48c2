/* obj_service.c -- a ClusterIP Service per enabled server: port 80 (443 with TLS) to the container. */
#include "arena.h"
#include "doc.h"
#include "render_int.h"

static struct node *port(struct render_ctx *r, const char *name, const char *app_protocol, int port,
			 int target)
{
	struct node *p = node_map(r->a, NULL);
	map_put(r->a, p, "name", str_node(r, name));
	map_put(r->a, p, "protocol", str_node(r, "TCP"));
	if (app_protocol)
		map_put(r->a, p, "appProtocol", str_node(r, app_protocol));
	map_put(r->a, p, "port", int_node(r, port));
	map_put(r->a, p, "targetPort", int_node(r, target));
	return p;
}

#define SERVING_CERT "service.beta.openshift.io/serving-cert-secret-name"
#define SERVING_CERT_SANS "service.beta.openshift.io/serving-cert-sans"

/* The operator's setService on OpenShift: the service CA writes the Service's certificate
 * into the Secret the server mounts; a registry with both protocols gets one certificate,
 * on the gRPC Service, naming both host names. */
static void serving_cert(struct render_ctx *r, const struct store *st, enum srv s, bool rest, struct node *svc)
{
	const struct fs *fs = &st->fs;
	const struct server *sv = &fs->srv[s];
	if (!sv->tls.serving_cert || (s == SRV_REGISTRY && rest && fs->grpc))
		return;
	struct node *ann = node_map(r->a, NULL);
	map_put(r->a, ann, SERVING_CERT, str_node(r, sv->tls.secret));
	if (s == SRV_REGISTRY && fs->grpc && fs->rest) {
		const char *grpc = arena_printf(r->a, "%s-registry", fs->feast_name);
		map_put(r->a, ann, SERVING_CERT_SANS,
			node_strf(r->a, "%s,%s", fs_service_host(r->a, fs, grpc),
				  fs_service_host(r->a, fs, arena_printf(r->a, "%s-rest", grpc))));
	}
	map_set(r->a, map_get(svc, "metadata"), "annotations", ann);
}

static void service(struct render_ctx *r, struct store *st, enum srv s, const char *suffix, int target,
		    const char *app_protocol)
{
	const struct server *sv = &st->fs.srv[s];
	const char *name = arena_printf(r->a, "%s-%s%s", st->fs.feast_name, srv_names[s], suffix);
	struct node *svc = obj_new(r, st, T_SERVICE, name, true, srv_names[s], srv_names[s]);
	struct node *spec = map_get(svc, "spec");
	map_set(r->a, spec, "selector", selector_new(r, &st->fs));
	struct node *ports = node_seq(r->a, NULL);
	seq_push(r->a, ports, port(r, sv->tls.on ? "https" : "http", app_protocol, sv->tls.on ? 443 : 80, target));
	if (s == SRV_ONLINE && st->fs.metrics_port)
		seq_push(r->a, ports, port(r, "metrics", NULL, 8000, 8000));
	map_set(r->a, spec, "ports", ports);
	serving_cert(r, st, s, *suffix != 0, svc);
	obj_emit(r, st, svc);
}

void build_services(struct render_ctx *r, struct store *st)
{
	const struct fs *fs = &st->fs;
	if (fs->srv[SRV_ONLINE].on)
		service(r, st, SRV_ONLINE, "", fs->srv[SRV_ONLINE].port, NULL);
	if (fs->srv[SRV_OFFLINE].on)
		service(r, st, SRV_OFFLINE, "", fs->srv[SRV_OFFLINE].port, NULL);
	if (fs->srv[SRV_REGISTRY].on && fs->grpc)
		service(r, st, SRV_REGISTRY, "", fs->srv[SRV_REGISTRY].port, "grpc");
	if (fs->srv[SRV_REGISTRY].on && fs->rest)
		service(r, st, SRV_REGISTRY, "-rest", fs->rest_port, NULL);
	if (fs->srv[SRV_UI].on)
		service(r, st, SRV_UI, "", fs->srv[SRV_UI].port, NULL);
}

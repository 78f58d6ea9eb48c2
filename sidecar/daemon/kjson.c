/* kjson.c -- Lease bodies to and from lease records; the Pod fields readiness needs. */
#include "kjson.h"
#include "arena.h"
#include "doc.h"

#include <stdio.h>
#include <string.h>

static void copy_text(char *dst, size_t n, const struct node *v)
{
	const char *s;
	dst[0] = '\0';
	if (node_get_str(v, &s) && strlen(s) < n)
		memcpy(dst, s, strlen(s) + 1);
}

static int32_t get_i32(const struct node *v)
{
	int64_t i;
	if (!node_get_int(v, &i) || i < 0 || i > 0x7fffffff)
		return 0;
	return (int32_t)i;
}

/* A non-negative decimal annotation value; anything else reads as 0. */
static int64_t parse_generation(const struct node *v)
{
	const char *s;
	if (!node_get_str(v, &s) || !*s || strlen(s) > 18)
		return 0;
	int64_t g = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		g = g * 10 + (*s - '0');
	}
	return g;
}

int lease_from_node(const struct node *n, struct lease_obj *out)
{
	memset(out, 0, sizeof(*out));
	if (!n || n->kind != NODE_MAP)
		return -1;
	const struct node *md = map_get(n, "metadata");
	const char *rv;
	if (!node_get_str(map_get(md, "resourceVersion"), &rv) || !*rv || strlen(rv) >= sizeof(out->rv))
		return -1;
	memcpy(out->rv, rv, strlen(rv) + 1);
	const struct node *spec = map_get(n, "spec");
	const char *holder;
	if (node_get_str(map_get(spec, "holderIdentity"), &holder)) {
		if (strlen(holder) < sizeof(out->rec.holder))
			memcpy(out->rec.holder, holder, strlen(holder) + 1);
		else
			snprintf(out->rec.holder, sizeof(out->rec.holder), "%s", LEASE_HOLDER_UNKNOWN);
	}
	out->rec.duration_s = get_i32(map_get(spec, "leaseDurationSeconds"));
	out->rec.transitions = get_i32(map_get(spec, "leaseTransitions"));
	copy_text(out->rec.acquire_time, sizeof(out->rec.acquire_time), map_get(spec, "acquireTime"));
	copy_text(out->rec.renew_time, sizeof(out->rec.renew_time), map_get(spec, "renewTime"));
	out->rec.generation = parse_generation(map_get(map_get(md, "annotations"), GENERATION_ANNOTATION));
	return 0;
}

static void drop_server_fields(struct node *md)
{
	map_del(md, "managedFields");
	map_del(md, "creationTimestamp");
	map_del(md, "generation");
}

struct node *lease_to_node(struct arena *a, const struct node *base, const char *name, const char *ns,
			   const struct lease_req *req)
{
	const struct lease_record *r = &req->rec;
	struct node *obj = base && base->kind == NODE_MAP && req->op == LEASE_UPDATE ? node_clone(a, base)
										      : node_map(a, NULL);
	map_set(a, obj, "apiVersion", node_str(a, "coordination.k8s.io/v1"));
	map_set(a, obj, "kind", node_str(a, "Lease"));
	struct node *md = map_child_map(a, obj, "metadata");
	map_set(a, md, "name", node_str(a, name));
	map_set(a, md, "namespace", node_str(a, ns));
	drop_server_fields(md);
	if (req->op == LEASE_UPDATE)
		map_set(a, md, "resourceVersion", node_str(a, req->rv));
	else
		map_del(md, "resourceVersion"), map_del(md, "uid");
	struct node *ann = map_get(md, "annotations");
	if (r->generation > 0 || (ann && map_has(ann, GENERATION_ANNOTATION))) {
		ann = map_child_map(a, md, "annotations");
		map_set(a, ann, GENERATION_ANNOTATION, node_strf(a, "%lld", (long long)r->generation));
	}
	struct node *spec = node_map(a, NULL);
	map_put(a, spec, "holderIdentity", node_str(a, r->holder));
	if (r->duration_s > 0)
		map_put(a, spec, "leaseDurationSeconds", node_int(a, r->duration_s));
	if (r->acquire_time[0])
		map_put(a, spec, "acquireTime", node_str(a, r->acquire_time));
	if (r->renew_time[0])
		map_put(a, spec, "renewTime", node_str(a, r->renew_time));
	map_put(a, spec, "leaseTransitions", node_int(a, r->transitions));
	map_set(a, obj, "spec", spec);
	map_del(obj, "status");
	return obj;
}

static const char *str_or_empty(const struct node *v)
{
	const char *s;
	return node_get_str(v, &s) ? s : "";
}

int pod_from_node(const struct node *n, struct pod_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!n || n->kind != NODE_MAP)
		return -1;
	const struct node *md = map_get(n, "metadata");
	out->name = str_or_empty(map_get(md, "name"));
	out->namespace = str_or_empty(map_get(md, "namespace"));
	out->uid = str_or_empty(map_get(md, "uid"));
	out->resource_version = str_or_empty(map_get(md, "resourceVersion"));
	const struct node *del = map_get(md, "deletionTimestamp");
	out->deleting = del && !node_is_null(del);
	const struct node *status = map_get(n, "status");
	out->phase = str_or_empty(map_get(status, "phase"));
	const struct node *conds = map_get(status, "conditions");
	node_seq_each(conds, c) {
		const char *type;
		if (out->nconditions == POD_MAX_CONDITIONS)
			break;
		if (!node_get_str(map_get(c, "type"), &type))
			continue;
		out->conditions[out->nconditions].type = type;
		out->conditions[out->nconditions].status = str_or_empty(map_get(c, "status"));
		out->nconditions++;
	}
	return *out->name ? 0 : -1;
}

/* reconcile_rules.c -- the operator's reconcile-time errors and derived-name limits, up front. */
#include "reconcile_rules.h"
#include "intorstr.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "k8sval.h"

#include <stdio.h>
#include <string.h>

#define CRONJOB_NAME_MAX 52

/* A field under spec, NULL when absent or null. */
static const struct node *get(const struct node *spec, const char *path)
{
	const struct node *n = node_at(spec, path);
	return n && !node_is_null(n) ? n : NULL;
}

/* ---- when objects exist (as the operator decides it on the applied spec) ---- */

static bool online_server(const struct node *spec)
{
	/* the online store is defaulted in, with a server, unless disabled */
	return !node_is_true(get(spec, "services.onlineStore.disabled"));
}

static bool offline_server(const struct node *spec)
{
	return get(spec, "services.offlineStore.server") != NULL;
}

static bool registry_server(const struct node *spec)
{
	return get(spec, "services.registry.local.server") != NULL;
}

static bool registry_grpc(const struct node *spec)
{
	const struct node *g = get(spec, "services.registry.local.server.grpc");
	return registry_server(spec) && (!g || node_is_true(g)); /* grpc defaults to true */
}

static bool registry_rest(const struct node *spec)
{
	return registry_server(spec) && node_is_true(get(spec, "services.registry.local.server.restAPI"));
}

static bool kubernetes_authz(const struct node *spec)
{
	const struct node *authz = get(spec, "authz");
	return !authz || get(authz, "kubernetes") != NULL; /* authz defaults to kubernetes: {} */
}

/* ---- the tables ---- */

const struct derived_name derived_names[] = {
	{ "label feast.dev/name", "%s", NAME_LABEL_VALUE, NULL, NULL },
	{ "Deployment", "feast-%s", NAME_SUBDOMAIN, NULL, NULL },
	{ "ServiceAccount", "feast-%s", NAME_SUBDOMAIN, NULL, NULL },
	{ "ConfigMap", "feast-%s-client", NAME_SUBDOMAIN, NULL, NULL },
	{ "Service", "feast-%s-online", NAME_DNS1035, online_server, NULL },
	{ "Service", "feast-%s-offline", NAME_DNS1035, offline_server, NULL },
	{ "Service", "feast-%s-registry", NAME_DNS1035, registry_grpc, NULL },
	{ "Service", "feast-%s-registry-rest", NAME_DNS1035, registry_rest, NULL },
	{ "Service", "feast-%s-ui", NAME_DNS1035, NULL, "services.ui" },
	{ "Role", "feast-%s", NAME_SUBDOMAIN, kubernetes_authz, NULL },
	{ "RoleBinding", "feast-%s", NAME_SUBDOMAIN, kubernetes_authz, NULL },
	{ "ClusterRoleBinding", "feast-%s-cluster-binding", NAME_SUBDOMAIN, kubernetes_authz, NULL },
	{ "ClusterRoleBinding", "feast-%s-oidc-token-review", NAME_SUBDOMAIN, NULL, "authz.oidc" },
	{ "CronJob", "feast-%s", NAME_CRONJOB, NULL, "cronJob" },
	{ "ServiceAccount", "feast-%s-cronjob", NAME_SUBDOMAIN, NULL, "cronJob" },
	{ "Role", "feast-%s-cronjob", NAME_SUBDOMAIN, NULL, "cronJob" },
	{ "RoleBinding", "feast-%s-cronjob", NAME_SUBDOMAIN, NULL, "cronJob" },
	{ "Role", "feast-%s-sidecar", NAME_SUBDOMAIN, NULL, NULL },
	{ "RoleBinding", "feast-%s-sidecar", NAME_SUBDOMAIN, NULL, NULL },
	{ "Lease", "feast-%s-registry-lock", NAME_SUBDOMAIN, NULL, NULL },
	{ "HorizontalPodAutoscaler", "feast-%s", NAME_SUBDOMAIN, NULL, "services.scaling.autoscaling" },
	{ "PodDisruptionBudget", "feast-%s", NAME_SUBDOMAIN, NULL, "services.podDisruptionBudgets" },
	{ "PersistentVolumeClaim", "feast-%s-online", NAME_SUBDOMAIN, NULL, "services.onlineStore.persistence.file.pvc.create" },
	{ "PersistentVolumeClaim", "feast-%s-offline", NAME_SUBDOMAIN, NULL, "services.offlineStore.persistence.file.pvc.create" },
	{ "PersistentVolumeClaim", "feast-%s-registry", NAME_SUBDOMAIN, NULL, "services.registry.local.persistence.file.pvc.create" },
};

const size_t derived_names_count = sizeof(derived_names) / sizeof(derived_names[0]);

static bool has_local_server(const struct node *spec)
{
	return online_server(spec) || registry_server(spec) || offline_server(spec);
}

/*
 * The operator's reconcile-time errors (internal/controller/services).  Not
 * rows, because admission already decides them with the same outcome:
 *  - "at least one of gRPC or REST API must be enabled for registry
 *    service": the CEL rule registry-server-protocol (cel.c) rejects exactly
 *    those specs (grpc defaults to true; restAPI must then be true).
 *  - "invalid DB store type %s for online store|offline store|registry" and
 *    the offline file types: the schema's enums on persistence.store.type
 *    and persistence.file.type list the operator's valid types, so the
 *    schema rejects the same values ("Unsupported value").
 *  - Secrets that must exist and feastRef targets need the cluster.
 */
const struct reconcile_rule reconcile_rules[] = {
	{ "local-server", "spec.services",
	  "at least one local server must be configured. e.g. registry / online / offline", has_local_server },
};

const size_t reconcile_rules_count = sizeof(reconcile_rules) / sizeof(reconcile_rules[0]);

/* ---- checking ---- */

static size_t name_limit(enum name_rule r)
{
	switch (r) {
	case NAME_SUBDOMAIN:
		return DNS1123_SUBDOMAIN_MAX;
	case NAME_CRONJOB:
		return CRONJOB_NAME_MAX;
	case NAME_DNS1035:
		return DNS1035_LABEL_MAX;
	case NAME_LABEL_VALUE:
		return LABEL_VALUE_MAX;
	}
	return 0;
}

static const char *name_error(enum name_rule r, const char *s)
{
	switch (r) {
	case NAME_SUBDOMAIN:
		return dns1123_subdomain_error(s);
	case NAME_CRONJOB:
		return strlen(s) > CRONJOB_NAME_MAX ? "must be no more than 52 characters"
						    : dns1123_subdomain_error(s);
	case NAME_DNS1035:
		return dns1035_label_error(s);
	case NAME_LABEL_VALUE:
		return label_value_error(s);
	}
	return NULL;
}

static void name_diag(struct diags *d, const struct node *name_node, const struct derived_name *dn, const char *derived,
		      const char *err)
{
	struct buf m = BUF_INIT;
	const char *name = name_node->u.sc.s;
	buf_adds(&m, "Invalid value: ");
	quote_str(&m, name);
	buf_addf(&m, ": the %s name ", dn->kind);
	quote_str(&m, derived);
	buf_addf(&m, " derived from it: %s", err);
	size_t extra = strlen(derived) - strlen(name), limit = name_limit(dn->rule);
	if (strlen(derived) > limit && limit > extra)
		buf_addf(&m, " (metadata.name may have at most %zu characters)", limit - extra);
	struct diag *x = diag_add(d, DIAG_ERROR, &name_node->pos, "metadata.name", "%s", m.data);
	x->rule = "derived-names";
	buf_release(&m);
}

static size_t check_derived_names(const struct node *root, const struct node *spec, struct diags *d)
{
	const struct node *name_node = node_at(root, "metadata.name");
	const char *name;
	if (!node_get_str(name_node, &name) || !*name || dns1123_subdomain_error(name))
		return 0; /* the metadata check reports that */
	size_t errors = 0;
	char done[sizeof(derived_names) / sizeof(derived_names[0])][300];
	size_t ndone = 0;
	for (size_t i = 0; i < derived_names_count; i++) {
		const struct derived_name *dn = &derived_names[i];
		if ((dn->when && !dn->when(spec)) || (dn->when_set && !get(spec, dn->when_set)))
			continue;
		char derived[300];
		snprintf(derived, sizeof(derived), dn->format, name);
		const char *err = name_error(dn->rule, derived);
		bool seen = false;
		for (size_t j = 0; j < ndone && !seen; j++)
			seen = !strcmp(done[j], derived);
		if (!err || seen)
			continue; /* one error per distinct derived name */
		snprintf(done[ndone++], sizeof(done[0]), "%s", derived);
		name_diag(d, name_node, dn, derived, err);
		errors++;
	}
	return errors;
}

/* Where to report a field: its key, or the nearest parent written. */
const struct pos *reconcile_pos_of(const struct node *root, const char *path)
{
	const struct pos *pos = &root->pos;
	const struct node *n = root;
	char key[64];
	while (n && path_next(&path, key, sizeof(key))) {
		const struct pair *p = map_find(n, key);
		if (!p)
			break;
		if (p->kpos.line)
			pos = &p->kpos;
		n = p->val;
	}
	return pos;
}

static size_t check_reconcile_rules(const struct node *root, const struct node *spec, struct diags *d)
{
	size_t errors = 0;
	for (size_t i = 0; i < reconcile_rules_count; i++) {
		const struct reconcile_rule *r = &reconcile_rules[i];
		if (r->holds(spec))
			continue;
		struct diag *x = diag_error(d, reconcile_pos_of(root, r->path), r->path, "%s", r->message);
		x->rule = r->id;
		errors++;
	}
	return errors;
}

size_t reconcile_check(const struct node *root, struct diags *d)
{
	const struct node *spec = map_get(root, "spec");
	if (spec && spec->kind != NODE_MAP)
		return 0; /* the schema reports it */
	return check_reconcile_rules(root, spec, d) + check_derived_names(root, spec, d) + intorstr_check(spec, d);
}

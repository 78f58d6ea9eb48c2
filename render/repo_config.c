/* repo_config.c -- the servers' and the client's feature_store.yaml, and what is merged at pod start. */
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "render_int.h"
#include "yaml_out.h"

#include <string.h>

static void put(struct render_ctx *r, struct node *m, const char *key, struct node *v)
{
	if (v)
		map_put(r->a, m, key, v);
}

static void put_str(struct render_ctx *r, struct node *m, const char *key, const char *s)
{
	if (s)
		map_put(r->a, m, key, str_node(r, s));
}

/* Copy spec field `from` of `cfg` to `to`, keeping its type. */
static void put_field(struct render_ctx *r, struct node *m, const char *to, const struct node *cfg,
		      const char *from)
{
	const struct node *v = map_get(cfg, from);
	if (v && !node_is_null(v))
		map_put(r->a, m, to, user_copy(r, v));
}

/* extraConfig entries flattened into a section, booleans coerced. */
static void put_extra(struct render_ctx *r, struct node *m, const struct node *extra)
{
	node_map_each(extra, p)
		map_set(r->a, m, p->key, coerce_extra(r, p->val));
}

/* Mount `key` of a Secret (or ConfigMap) for the merge; returns the file's path. */
static const char *add_source(struct render_ctx *r, struct store *st, const char *volume,
			      const char *object, bool configmap, const char *key)
{
	struct mount_source *src = NULL;
	for (int i = 0; i < st->nsources; i++)
		if (!strcmp(st->sources[i].volume, volume))
			src = &st->sources[i];
	if (!src && st->nsources < MAX_SOURCES) {
		src = &st->sources[st->nsources++];
		memset(src, 0, sizeof(*src));
		src->volume = volume;
		src->object = object;
		src->configmap = configmap;
	}
	if (src && key && src->nkeys < 2)
		src->keys[src->nkeys++] = key;
	return arena_printf(r->a, "%s/%s/%s", MERGE_DIR, volume, key ? key : "");
}

static void add_op(struct store *st, const char *op, const char *section, const char *arg,
		   const char *file)
{
	if (st->nops < MAX_MERGE_OPS)
		st->ops[st->nops++] = (struct merge_op){ op, section, arg, file };
}

/* A DB store's settings come from its Secret key at pod start, never from here. */
static void merge_store(struct render_ctx *r, struct store *st, const struct persist *p,
			const char *section, const char *volume)
{
	const char *file = add_source(r, st, volume, p->secret, false, p->secret_key);
	add_op(st, "merge", section, p->type, file);
}

static const char *file_path(struct render_ctx *r, const struct persist *p, const char *dflt)
{
	const char *path = p->kind == PERSIST_FILE && p->path && *p->path ? p->path : NULL;
	if (p->pvc.on)
		return arena_printf(r->a, "%s/%s", p->pvc.mount, path ? path : dflt);
	return path ? path : arena_printf(r->a, "/feast-data/%s", dflt);
}

/* An online or offline store on a DB: only its type here, the rest merged in at pod start. */
static struct node *db_section(struct render_ctx *r, struct store *st, const struct persist *p, const char *section,
			       const char *volume)
{
	struct node *m = node_map(r->a, NULL);
	put_str(r, m, "type", p->type);
	merge_store(r, st, p, section, volume);
	return m;
}

static struct node *online_section(struct render_ctx *r, struct store *st)
{
	const struct persist *p = &st->fs.online;
	if (p->kind == PERSIST_STORE)
		return db_section(r, st, p, "online_store", "online-store-config");
	struct node *m = node_map(r->a, NULL);
	put_str(r, m, "path", file_path(r, p, "online_store.db"));
	put_str(r, m, "type", "sqlite");
	return m;
}

static struct node *offline_section(struct render_ctx *r, struct store *st)
{
	const struct persist *p = &st->fs.offline;
	if (p->kind == PERSIST_STORE)
		return db_section(r, st, p, "offline_store", "offline-store-config");
	struct node *m = node_map(r->a, NULL);
	put_str(r, m, "type", p->type && *p->type ? p->type : "dask");
	return m;
}

static const char *remote_cert(struct render_ctx *r, const struct fs *fs)
{
	const char *cert = node_str_or(map_get(fs->remote_tls, "certName"), NULL);
	return cert ? arena_printf(r->a, "/tls/registry/%s", cert) : NULL;
}

/* MCP on the registry server: the operator's setRepoConfigRegistry writes registry.mcp. */
static void registry_mcp(struct render_ctx *r, const struct fs *fs, struct node *m)
{
	if (!fs->srv[SRV_REGISTRY].on || !node_is_true(node_at(fs->srv[SRV_REGISTRY].cfg, "mcp.enabled")))
		return;
	struct node *mcp = node_map(r->a, NULL);
	map_put(r->a, mcp, "enabled", node_bool(r->a, true));
	map_put(r->a, m, "mcp", mcp);
}

static struct node *registry_section(struct render_ctx *r, struct store *st)
{
	struct node *m = node_map(r->a, NULL);
	const struct fs *fs = &st->fs;
	const struct persist *p = &fs->registry;
	if (fs->registry_kind == REGISTRY_REMOTE) {
		put_str(r, m, "path", fs->remote_host);
		put_str(r, m, "registry_type", "remote");
		put_str(r, m, "cert", remote_cert(r, fs));
		return m;
	}
	if (p->kind == PERSIST_STORE) {
		put_str(r, m, "registry_type", p->type);
		registry_mcp(r, fs, m);
		merge_store(r, st, p, "registry", "registry-store-config");
		return m;
	}
	put_str(r, m, "path", file_path(r, p, "registry.db"));
	put_str(r, m, "registry_type", "file");
	put_field(r, m, "s3_additional_kwargs", p->file, "s3_additional_kwargs");
	put_field(r, m, "cache_ttl_seconds", p->file, "cache_ttl_seconds");
	put_field(r, m, "cache_mode", p->file, "cache_mode");
	registry_mcp(r, fs, m);
	return m;
}

/* OIDC: the discovery URL from issuerUrl, the rest from the Secret at pod start. */
static void oidc_server(struct render_ctx *r, struct store *st, struct node *auth)
{
	const struct node *oidc = st->fs.authz_cfg;
	const char *issuer = node_str_or(map_get(oidc, "issuerUrl"), NULL);
	const char *secret = node_str_or(node_at(oidc, "secretRef.name"), NULL);
	const char *key = node_str_or(map_get(oidc, "secretKeyName"), NULL);
	if (issuer) {
		size_t n = strlen(issuer);
		while (n && issuer[n - 1] == '/')
			n--;
		put_str(r, auth, "auth_discovery_url",
			arena_printf(r->a, "%.*s/.well-known/openid-configuration", (int)n, issuer));
	} else if (!secret || !*secret) {
		diag_error(r->d, &oidc->pos, "spec.authz.oidc",
			   "no OIDC discovery URL configured: set issuerUrl, or secretRef to a Secret "
			   "holding auth_discovery_url");
		r->errors++;
	}
	put_field(r, auth, "verify_ssl", oidc, "verifySSL");
	put_field(r, auth, "jwks_cache_lifespan_seconds", oidc, "jwksCacheLifespanSeconds");
	put_field(r, auth, "jwks_request_timeout_seconds", oidc, "jwksRequestTimeoutSeconds");
	/* One fixed file, whatever the key: the mount's subPath names the key (obj_deployment.c). */
	if (map_get(oidc, "caCertConfigMap"))
		put_str(r, auth, "ca_cert_path", OIDC_CA_CERT_PATH);
	if (!secret || !*secret)
		return;
	const char *props = issuer ? "client_id" : "client_id,auth_discovery_url";
	if (key && *key) {
		add_op(st, "pick", "auth", props, add_source(r, st, "oidc-config", secret, false, key));
		return;
	}
	/* Each key of the Secret is one property; both are optional. */
	add_op(st, "set?", "auth", "client_id", add_source(r, st, "oidc-config", secret, false, "client_id"));
	if (!issuer)
		add_op(st, "set?", "auth", "auth_discovery_url",
		       add_source(r, st, "oidc-config", secret, false, "auth_discovery_url"));
	for (int i = 0; i < st->nsources; i++)
		if (!strcmp(st->sources[i].volume, "oidc-config"))
			st->sources[i].optional = true;
}

static struct node *auth_section(struct render_ctx *r, struct store *st, bool server)
{
	struct node *auth = node_map(r->a, NULL);
	const struct fs *fs = &st->fs;
	switch (fs->authz) {
	case AUTHZ_KUBERNETES:
		put_str(r, auth, "type", "kubernetes");
		break;
	case AUTHZ_OIDC:
		put_str(r, auth, "type", "oidc");
		if (server)
			oidc_server(r, st, auth);
		else
			put_field(r, auth, "token_env_var", fs->authz_cfg, "tokenEnvVar");
		break;
	case AUTHZ_NONE:
		put_str(r, auth, "type", "no_auth");
		break;
	}
	return auth;
}

/* onlineStore.serving -> feature_server: `mcp` when MCP is on, else `local`. */
static struct node *feature_server_section(struct render_ctx *r, const struct fs *fs)
{
	const struct node *serving = fs->online_store ? node_at(fs->services, "onlineStore.serving") : NULL;
	if (!serving)
		return NULL;
	struct node *m = node_map(r->a, NULL);
	const struct node *mcp = map_get(serving, "mcp");
	bool mcp_on = node_is_true(map_get(mcp, "enabled"));
	put_str(r, m, "type", mcp_on ? "mcp" : "local");
	const struct node *metrics = map_get(serving, "metrics");
	if (metrics) {
		struct node *mm = node_map(r->a, NULL);
		map_put(r->a, mm, "enabled", node_bool(r->a, node_is_true(map_get(metrics, "enabled"))));
		put_extra(r, mm, map_get(metrics, "categories"));
		map_put(r->a, m, "metrics", mm);
	}
	const struct node *push = map_get(serving, "offlinePushBatching");
	if (push) {
		map_put(r->a, m, "offline_push_batching_enabled",
			node_bool(r->a, node_is_true(map_get(push, "enabled"))));
		put_field(r, m, "offline_push_batching_batch_size", push, "batchSize");
		put_field(r, m, "offline_push_batching_batch_interval_seconds", push, "batchIntervalSeconds");
	}
	if (mcp_on) {
		map_put(r->a, m, "mcp_enabled", node_bool(r->a, true));
		put_field(r, m, "mcp_server_name", mcp, "serverName");
		put_field(r, m, "mcp_server_version", mcp, "serverVersion");
		put_field(r, m, "mcp_transport", mcp, "transport");
	}
	return m;
}

static struct node *materialization_section(struct render_ctx *r, const struct fs *fs)
{
	const struct node *mat = map_get(fs->spec, "materialization");
	if (!mat)
		return NULL;
	struct node *m = node_map(r->a, NULL);
	put_field(r, m, "online_write_batch_size", mat, "onlineWriteBatchSize");
	put_extra(r, m, map_get(mat, "extraConfig"));
	return m;
}

static struct node *openlineage_section(struct render_ctx *r, struct store *st)
{
	const struct node *ol = map_get(st->fs.spec, "openlineage");
	if (!ol)
		return NULL;
	struct node *m = node_map(r->a, NULL);
	put_field(r, m, "enabled", ol, "enabled");
	put_field(r, m, "transport_type", ol, "transportType");
	put_field(r, m, "transport_url", ol, "transportUrl");
	put_field(r, m, "transport_endpoint", ol, "transportEndpoint");
	put_extra(r, m, map_get(ol, "extraConfig"));
	const char *key_secret = node_str_or(node_at(ol, "apiKeySecretRef.name"), NULL);
	if (key_secret && *key_secret)
		add_op(st, "set", "openlineage", "api_key",
		       add_source(r, st, "openlineage-api-key", key_secret, false, "api_key"));
	const struct node *consumer = map_get(ol, "consumer");
	if (map_get(consumer, "lineageServer"))
		warn_once(r, W_LINEAGE_SERVER, consumer, "spec.openlineage.consumer.lineageServer",
			  "the OpenLineage lineage server Deployment is not rendered");
	else if (consumer)
		warn_once(r, W_OPENLINEAGE_CONSUMER, consumer, "spec.openlineage.consumer",
			  "the OpenLineage consumer settings are not rendered");
	return m;
}

/* The operator's repo_config.go setRepoConfigMlflow, for the servers and the client alike:
 * only when enabled, and without trackingAuth, which reaches the servers as
 * MLFLOW_TRACKING_AUTH (pod_containers.c). */
static struct node *mlflow_section(struct render_ctx *r, const struct fs *fs)
{
	static const char *const fields[][2] = {
		{ "enabled", "enabled" }, { "tracking_uri", "trackingUri" }, { "ui_url", "uiUrl" },
		{ "auto_log", "autoLog" },
		{ "auto_log_entity_df", "autoLogEntityDf" }, { "entity_df_max_rows", "entityDfMaxRows" },
		{ "log_operations", "logOperations" }, { "ops_experiment_suffix", "opsExperimentSuffix" },
	};
	const struct node *ml = map_get(fs->spec, "mlflow");
	if (!node_is_true(map_get(ml, "enabled")))
		return NULL;
	struct node *m = node_map(r->a, NULL);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		put_field(r, m, fields[i][0], ml, fields[i][1]);
	put_extra(r, m, map_get(ml, "extraConfig"));
	if (!map_get(ml, "trackingUri"))
		warn_once(r, W_MLFLOW_DISCOVERY, ml, "spec.mlflow",
			  "the cluster's MLflow instance is not discovered; set trackingUri");
	return m;
}

/* The operator's setRepoConfigDataQualityMonitoring; autoBaseline defaults to true in the CRD. */
static struct node *dqm_section(struct render_ctx *r, const struct fs *fs)
{
	const struct node *dqm = map_get(fs->spec, "dataQualityMonitoring");
	if (!dqm || node_is_null(dqm))
		return NULL;
	const struct node *auto_baseline = map_get(dqm, "autoBaseline");
	struct node *m = node_map(r->a, NULL);
	map_put(r->a, m, "auto_baseline",
		node_bool(r->a, !auto_baseline || node_is_null(auto_baseline) || node_is_true(auto_baseline)));
	return m;
}

/* batchEngine: the whole ConfigMap key (with its `type`) becomes batch_engine at pod start. */
static void batch_engine(struct render_ctx *r, struct store *st)
{
	const struct node *be = map_get(st->fs.spec, "batchEngine");
	const char *cm = node_str_or(node_at(be, "configMapRef.name"), NULL);
	if (!cm || !*cm)
		return;
	const char *key = node_str_or(map_get(be, "configMapKey"), "config");
	add_op(st, "engine", "batch_engine", arena_printf(r->a, "%s-batch-driver", st->fs.feast_name),
	       add_source(r, st, "batch-engine-config", cm, true, key));
}

static void base64(struct buf *out, const unsigned char *s, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);
		char q[4] = { tab[v >> 18 & 63], tab[v >> 12 & 63], i + 1 < n ? tab[v >> 6 & 63] : '=',
			      i + 2 < n ? tab[v & 63] : '=' };
		buf_add(out, q, 4);
	}
}

static struct node *server_repo_config(struct render_ctx *r, struct store *st)
{
	const struct fs *fs = &st->fs;
	struct node *m = node_map(r->a, NULL);
	put_str(r, m, "project", fs->project);
	put_str(r, m, "provider", "local");
	if (fs->offline_store)
		put(r, m, "offline_store", offline_section(r, st));
	put(r, m, "online_store", online_section(r, st));
	put(r, m, "registry", registry_section(r, st));
	put(r, m, "auth", auth_section(r, st, true));
	put(r, m, "feature_server", feature_server_section(r, fs));
	put(r, m, "materialization", materialization_section(r, fs));
	put(r, m, "openlineage", openlineage_section(r, st));
	put(r, m, "mlflow", mlflow_section(r, fs));
	put(r, m, "data_quality_monitoring", dqm_section(r, fs));
	map_put(r->a, m, "entity_key_serialization_version", int_node(r, 3));
	batch_engine(r, st);
	return m;
}

void store_prepare(struct render_ctx *r, struct store *st)
{
	struct buf text = BUF_INIT, b64 = BUF_INIT;
	yaml_emit_one(&text, server_repo_config(r, st));
	base64(&b64, (const unsigned char *)text.data, text.len);
	st->fs_yaml_b64 = arena_strndup(r->a, b64.data, b64.len);
	buf_release(&text);
	buf_release(&b64);
}

/* The client's view: remote stores pointing at the Services. */
struct node *client_repo_config(struct render_ctx *r, struct store *st)
{
	const struct fs *fs = &st->fs;
	struct node *m = node_map(r->a, NULL);
	put_str(r, m, "project", fs->project);
	put_str(r, m, "provider", "local");
	const struct server *off = &fs->srv[SRV_OFFLINE], *on = &fs->srv[SRV_ONLINE];
	if (off->on) {
		struct node *o = node_map(r->a, NULL);
		put_str(r, o, "host", fs_service_host(r->a, fs, arena_printf(r->a, "%s-offline", fs->feast_name)));
		put_str(r, o, "type", "remote");
		map_put(r->a, o, "port", int_node(r, off->tls.on ? 443 : 80));
		if (off->tls.on) {
			put_str(r, o, "scheme", "https");
			put_str(r, o, "cert", arena_printf(r->a, "/tls/offline/%s", off->tls.crt));
		}
		map_put(r->a, m, "offline_store", o);
	}
	if (on->on) {
		struct node *o = node_map(r->a, NULL);
		const char *host = fs_service_host(r->a, fs, arena_printf(r->a, "%s-online", fs->feast_name));
		put_str(r, o, "path", arena_printf(r->a, "%s://%s:%d", on->tls.on ? "https" : "http", host,
						   on->tls.on ? 443 : 80));
		put_str(r, o, "type", "remote");
		if (on->tls.on)
			put_str(r, o, "cert", arena_printf(r->a, "/tls/online/%s", on->tls.crt));
		map_put(r->a, m, "online_store", o);
	}
	/* Clients reach a local registry over gRPC only: a REST-only registry is left out
	 * (the operator names a gRPC Service that does not exist). */
	const struct server *reg = &fs->srv[SRV_REGISTRY];
	if ((reg->on && fs->grpc) || fs->registry_kind == REGISTRY_REMOTE) {
		struct node *o = node_map(r->a, NULL);
		const char *host = fs->remote_host;
		if (reg->on)
			host = arena_printf(r->a, "%s:%d", fs_service_host(r->a, fs,
				arena_printf(r->a, "%s-registry", fs->feast_name)), reg->tls.on ? 443 : 80);
		put_str(r, o, "path", host);
		put_str(r, o, "registry_type", "remote");
		put_str(r, o, "cert", reg->on ? (reg->tls.on ? arena_printf(r->a, "/tls/registry/%s", reg->tls.crt)
							      : NULL)
					      : remote_cert(r, fs));
		map_put(r->a, m, "registry", o);
	}
	put(r, m, "auth", auth_section(r, st, false));
	put(r, m, "mlflow", mlflow_section(r, fs));
	map_put(r->a, m, "entity_key_serialization_version", int_node(r, 3));
	return m;
}

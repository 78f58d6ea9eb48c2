/* pod_containers.c -- one container per enabled server: command, ports, probes, env. */
#include "arena.h"
#include "doc.h"
#include "render_int.h"

#include <stdio.h>
#include <string.h>

struct node *env_var(struct render_ctx *r, const char *name, const char *value)
{
	struct node *e = node_map(r->a, NULL);
	map_put(r->a, e, "name", str_node(r, name));
	map_put(r->a, e, "value", str_node(r, value));
	return e;
}

void env_override(struct render_ctx *r, struct node *env, const struct node *user)
{
	node_seq_each(user, u) {
		const char *name = node_text(map_get(u, "name"));
		struct node *copy = user_copy(r, u);
		size_t j = 0;
		for (; name && j < env->u.seq.n; j++) {
			const char *have = node_text(map_get(env->u.seq.v[j], "name"));
			if (have && !strcmp(have, name))
				break;
		}
		if (name && j < env->u.seq.n)
			env->u.seq.v[j] = copy;
		else
			seq_push(r->a, env, copy);
	}
}

static void push_str(struct render_ctx *r, struct node *seq, const char *s)
{
	seq_push(r->a, seq, str_node(r, s));
}

static void push_int(struct render_ctx *r, struct node *seq, int64_t v)
{
	char tmp[24];
	snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
	push_str(r, seq, tmp);
}

/* The online server's gunicorn settings, in the operator's flag order. */
static void worker_flags(struct render_ctx *r, struct node *cmd, const struct node *workers)
{
	static const char *const flags[][2] = {
		{ "workers", "--workers" }, { "workerConnections", "--worker-connections" },
		{ "maxRequests", "--max-requests" }, { "maxRequestsJitter", "--max-requests-jitter" },
		{ "keepAliveTimeout", "--keep-alive-timeout" }, { "registryTTLSeconds", "--registry_ttl_sec" },
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		int64_t v;
		if (node_get_int(map_get(workers, flags[i][0]), &v)) {
			push_str(r, cmd, flags[i][1]);
			push_int(r, cmd, v);
		}
	}
}

/* feast [--log-level L] <sub> [...] [--key K --cert C] -p PORT */
static struct node *server_command(struct render_ctx *r, const struct store *st, enum srv s)
{
	static const char *const sub[SRV_COUNT] = { "serve_registry", "serve", "serve_offline", "ui" };
	const struct fs *fs = &st->fs;
	const struct server *sv = &fs->srv[s];
	struct node *cmd = node_seq(r->a, NULL);
	push_str(r, cmd, "feast");
	if (sv->log_level) {
		push_str(r, cmd, "--log-level");
		push_str(r, cmd, sv->log_level);
	}
	push_str(r, cmd, sub[s]);
	if (s == SRV_ONLINE && sv->metrics_flag)
		push_str(r, cmd, "--metrics");
	if (s != SRV_REGISTRY) {
		push_str(r, cmd, "-h");
		push_str(r, cmd, "0.0.0.0");
	} else {
		push_str(r, cmd, fs->grpc ? "--grpc" : "--no-grpc");
		if (fs->rest) {
			push_str(r, cmd, "--rest-api");
			push_str(r, cmd, "--rest-port");
			push_int(r, cmd, fs->rest_port);
		}
	}
	if (s == SRV_ONLINE)
		worker_flags(r, cmd, map_get(sv->cfg, "workerConfigs"));
	if (sv->tls.on) {
		push_str(r, cmd, "--key");
		push_str(r, cmd, arena_printf(r->a, "/tls/%s/%s", srv_names[s], sv->tls.key));
		push_str(r, cmd, "--cert");
		push_str(r, cmd, arena_printf(r->a, "/tls/%s/%s", srv_names[s], sv->tls.crt));
	}
	push_str(r, cmd, "-p");
	push_int(r, cmd, sv->port);
	return cmd;
}

static struct node *container_port(struct render_ctx *r, const char *name, int port)
{
	struct node *p = node_map(r->a, NULL);
	map_put(r->a, p, "name", str_node(r, name));
	map_put(r->a, p, "containerPort", int_node(r, port));
	map_put(r->a, p, "protocol", str_node(r, "TCP"));
	return p;
}

static struct node *ports(struct render_ctx *r, const struct store *st, enum srv s)
{
	const struct fs *fs = &st->fs;
	struct node *seq = node_seq(r->a, NULL);
	if (s != SRV_REGISTRY || fs->grpc)
		seq_push(r->a, seq, container_port(r, srv_names[s], fs->srv[s].port));
	if (s == SRV_REGISTRY && fs->rest)
		seq_push(r->a, seq, container_port(r, "registry-rest", fs->rest_port));
	if (s == SRV_ONLINE && fs->metrics_port)
		seq_push(r->a, seq, container_port(r, "metrics", 8000));
	return seq;
}

/* HTTP /health for the online server, TCP for the others; the REST port (no path) for a
 * registry without gRPC. */
static struct node *probe_handler(struct render_ctx *r, const struct store *st, enum srv s)
{
	const struct fs *fs = &st->fs;
	bool tls = fs->srv[s].tls.on;
	struct node *h = node_map(r->a, NULL), *action = node_map(r->a, NULL);
	if (s == SRV_ONLINE || (s == SRV_REGISTRY && !fs->grpc)) {
		if (s == SRV_ONLINE)
			map_put(r->a, action, "path", str_node(r, "/health"));
		map_put(r->a, action, "port", int_node(r, s == SRV_ONLINE ? fs->srv[s].port : fs->rest_port));
		if (tls)
			map_put(r->a, action, "scheme", str_node(r, "HTTPS"));
		map_put(r->a, h, "httpGet", action);
	} else {
		map_put(r->a, action, "port", int_node(r, fs->srv[s].port));
		map_put(r->a, h, "tcpSocket", action);
	}
	return h;
}

/* Every probe of templates/fragments/server-probes.yaml: the handler, then its timings. */
static void probes(struct render_ctx *r, const struct store *st, enum srv s, struct node *c)
{
	const struct node *frag = r->tm.t[T_FRAG_SERVER_PROBES];
	const struct node *h = probe_handler(r, st, s);
	node_map_each(frag, probe) {
		struct node *p = node_clone(r->a, h);
		node_map_each(probe->val, t)
			map_put(r->a, p, t->key, node_clone(r->a, t->val));
		map_set(r->a, c, probe->key, p);
	}
}

/* MLflow's client in the servers: the operator's services.go injectMlflowEnv, after the
 * user's env, which it overrides by name. */
static void mlflow_env(struct render_ctx *r, const struct fs *fs, struct node *env)
{
	const struct node *ml = map_get(fs->spec, "mlflow");
	if (!node_is_true(map_get(ml, "enabled")))
		return;
	const char *auth = node_str_or(map_get(ml, "trackingAuth"), "kubernetes-namespaced");
	const char *uri = node_str_or(map_get(ml, "trackingUri"), NULL);
	struct node *add = node_seq(r->a, NULL);
	if (*auth)
		seq_push(r->a, add, env_var(r, "MLFLOW_TRACKING_AUTH", auth));
	if (uri)
		seq_push(r->a, add, env_var(r, "MLFLOW_TRACKING_URI", uri));
	env_override(r, env, add);
}

struct node *server_container(struct render_ctx *r, const struct store *st, enum srv s)
{
	const struct server *sv = &st->fs.srv[s];
	struct node *c = tmpl_clone(r, T_CONTAINER);
	map_set(r->a, c, "name", str_node(r, srv_names[s]));
	map_set(r->a, c, "image", str_node(r, sv->image));
	map_set(r->a, c, "command", server_command(r, st, s));
	map_set(r->a, c, "workingDir", str_node(r, st->fs.repo_dir));
	map_set(r->a, c, "ports", ports(r, st, s));
	struct node *env = node_seq(r->a, NULL);
	seq_push(r->a, env, env_var(r, "TMP_FEATURE_STORE_YAML_BASE64", st->fs_yaml_b64));
	if (!st->fs.init_containers && st->nops)
		seq_push(r->a, env, env_var(r, "FEAST_FS_YAML_FILE_PATH", FEAST_CONFIG_DIR "/feature_store.yaml"));
	env_override(r, env, map_get(sv->cfg, "env"));
	mlflow_env(r, &st->fs, env);
	map_set(r->a, c, "env", env);
	set_user(r, c, "envFrom", map_get(sv->cfg, "envFrom"));
	set_user(r, c, "resources", map_get(sv->cfg, "resources"));
	set_user(r, c, "imagePullPolicy", map_get(sv->cfg, "imagePullPolicy"));
	set_user(r, c, "volumeMounts", map_get(sv->cfg, "volumeMounts"));
	probes(r, st, s, c);
	return c;
}

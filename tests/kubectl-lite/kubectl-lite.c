/* kubectl-lite.c -- a test driver for the kube client: resolve the configuration, send requests, watch. Not installed. */
#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "kube_client.h"
#include "kube_config.h"
#include "kube_resource.h"
#include "kube_util.h"
#include "opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_DISCOVER = 100, OPT_DATA = 1, OPT_CTYPE, OPT_QUERY, OPT_FOR, OPT_MAX, OPT_STATS, OPT_TIMEOUT, OPT_HELP,
       OPT_MAX_BYTES, OPT_INTERVAL, OPT_BETWEEN, OPT_TOKEN_RELOAD };

static const struct opt lite_opts[] = {
	{ "data", 'd', OPT_VALUE, OPT_DATA, "DATA", NULL, NULL, "request body, or @FILE", 0 },
	{ "content-type", 0, OPT_VALUE, OPT_CTYPE, "TYPE", NULL, NULL, "the body's content type", 0 },
	{ "query", 'q', OPT_VALUE, OPT_QUERY, "QUERY", NULL, NULL, "encoded query string", 0 },
	{ "for", 0, OPT_VALUE, OPT_FOR, "DURATION", NULL, NULL, "watch: deadline from now", 0 },
	{ "max", 0, OPT_VALUE, OPT_MAX, "N", NULL, NULL, "watch: stop after N events", 0 },
	{ "stats", 0, OPT_BOOL, OPT_STATS, NULL, NULL, NULL, "print client statistics on stderr", 0 },
	{ "timeout", 0, OPT_VALUE, OPT_TIMEOUT, "DURATION", NULL, NULL, "this request's own timeout", 0 },
	{ "max-bytes", 0, OPT_VALUE, OPT_MAX_BYTES, "N", NULL, NULL, "response size bound", 0 },
	{ "interval", 0, OPT_VALUE, OPT_INTERVAL, "DURATION", NULL, NULL, "repeat: pause between requests", 0 },
	{ "between", 0, OPT_VALUE, OPT_BETWEEN, "CMD", NULL, NULL, "repeat: shell command run between requests", 0 },
	{ "token-reload", 0, OPT_VALUE, OPT_TOKEN_RELOAD, "DURATION", NULL, NULL, "token file re-read period", 0 },
	{ "discover", 0, OPT_BOOL, OPT_DISCOVER, NULL, NULL, NULL, "resolve: discovery only", 0 },
	{ "help", 'h', OPT_BOOL, OPT_HELP, NULL, NULL, NULL, "show this help", 0 },
	OPT_END,
};

static const struct opt *const tables[] = { lite_opts, kube_flag_opts, NULL };

struct lite {
	struct kube_flags kf;
	const char *data, *ctype, *query;
	long long for_ms, timeout_ms, interval_ms, token_reload_ms;
	int max, max_bytes;
	const char *between;
	bool stats, help, discover;
	int events;
};

static int on_opt(void *ctx, const struct opt *o, const char *v, char *err, size_t errlen)
{
	struct lite *l = ctx;
	if (kube_flag_is(o))
		return kube_flags_set(&l->kf, o, v, err, errlen);
	switch (o->id) {
	case OPT_DATA: l->data = v; break;
	case OPT_CTYPE: l->ctype = v; break;
	case OPT_QUERY: l->query = v; break;
	case OPT_STATS: l->stats = !v || strcmp(v, "false"); break;
	case OPT_HELP: l->help = true; break;
	case OPT_DISCOVER: l->discover = true; break;
	case OPT_BETWEEN: l->between = v; break;
	case OPT_MAX:
	case OPT_MAX_BYTES:
		if (!parse_count(v, o->id == OPT_MAX ? &l->max : &l->max_bytes))
			return snprintf(err, errlen, "bad count %s", v), -1;
		break;
	case OPT_FOR:
	case OPT_TIMEOUT:
	case OPT_INTERVAL:
	case OPT_TOKEN_RELOAD:
		if (!parse_duration_ms(v, o->id == OPT_FOR ? &l->for_ms : o->id == OPT_TIMEOUT ? &l->timeout_ms
				       : o->id == OPT_INTERVAL ? &l->interval_ms : &l->token_reload_ms))
			return snprintf(err, errlen, "bad duration %s", v), -1;
		break;
	}
	return 0;
}

static void usage(FILE *f)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "usage: kubectl-lite [flags] config | get PATH | request METHOD PATH |\n"
		     "                    repeat N PATH | watch PATH | resolve APIVERSION KIND |\n"
		     "                    create|replace|delete|apply|merge|strategic PATH [-d JSON]\n");
	opts_help(&b, tables);
	fputs(b.data, f);
	buf_release(&b);
}

static void put_str(struct arena *a, struct node *m, const char *k, const char *v)
{
	map_put(a, m, k, v ? node_str(a, v) : node_null(a));
}

static int cmd_config(struct arena *a, const struct kube_config *c)
{
	struct node *m = node_map(a, NULL);
	put_str(a, m, "server", c->server);
	put_str(a, m, "namespace", c->namespace);
	put_str(a, m, "context", c->context_name);
	put_str(a, m, "cluster", c->cluster_name);
	put_str(a, m, "user", c->user_name);
	put_str(a, m, "auth", kube_config_auth_kind(c));
	put_str(a, m, "authOrigin", c->auth_origin);
	put_str(a, m, "caOrigin", c->ca_origin);
	put_str(a, m, "caFile", c->ca_file);
	put_str(a, m, "tokenFile", c->token_file);
	put_str(a, m, "tlsServerName", c->tls_server_name);
	put_str(a, m, "execCommand", c->exec ? c->exec->command : NULL);
	map_put(a, m, "insecure", node_bool(a, c->insecure));
	map_put(a, m, "inCluster", node_bool(a, c->in_cluster));
	map_put(a, m, "timeoutMs", node_int(a, c->timeout_ms));
	struct buf b = BUF_INIT;
	json_emit(&b, m, 2);
	puts(b.data);
	buf_release(&b);
	return 0;
}

static const char *body_of(struct arena *a, const char *data, size_t *len)
{
	if (!data) {
		*len = 0;
		return NULL;
	}
	if (data[0] != '@') {
		*len = strlen(data);
		return data;
	}
	struct buf b = BUF_INIT;
	if (buf_read_path(&b, data + 1) < 0) {
		perror(data + 1);
		exit(2);
	}
	const char *s = arena_strndup(a, b.data, b.len);
	*len = b.len;
	buf_release(&b);
	return s;
}

static int report(struct diags *d, const struct kube_response *r, int rc)
{
	if (rc == 0 && !kube_ok(r))
		kube_fail(d, r);
	return rc == 0 && kube_ok(r) ? 0 : 3;
}

static int cmd_request(struct kube_client *k, struct arena *a, struct lite *l, const char *method,
		       const char *path, struct diags *d)
{
	struct kube_req req = { .method = method, .path = path, .query = l->query,
				.content_type = l->ctype, .timeout_ms = l->timeout_ms,
				.max_bytes = (size_t)l->max_bytes };
	req.body = body_of(a, l->data, &req.body_len);
	struct kube_response r;
	int rc = kube_request(k, a, &req, &r, d);
	if (rc == 0 && r.raw_len)
		printf("%s\n", r.raw);
	if (rc == 0)
		fprintf(stderr, "code=%ld retried=%d\n", r.code, r.auth_retried);
	return report(d, &r, rc);
}

/* create|replace|patch|delete through the shorthands, a -d JSON body parsed into a tree. */
static int cmd_shorthand(struct kube_client *k, struct arena *a, struct lite *l, const char *verb,
			 const char *path, struct diags *d)
{
	size_t len;
	const char *text = body_of(a, l->data, &len);
	struct node *obj = text ? json_parse(a, text, len, "-d", d) : NULL;
	if (text && !obj)
		return 2;
	struct kube_response r;
	int rc;
	if (!strcmp(verb, "create"))
		rc = kube_create(k, a, path, obj, l->query, &r, d);
	else if (!strcmp(verb, "replace"))
		rc = kube_replace(k, a, path, obj, l->query, &r, d);
	else if (!strcmp(verb, "delete"))
		rc = kube_delete(k, a, path, l->query, &r, d);
	else if (!strcmp(verb, "apply"))
		rc = kube_patch(k, a, path, KUBE_PATCH_APPLY, obj, l->query, &r, d);
	else if (!strcmp(verb, "merge"))
		rc = kube_patch(k, a, path, KUBE_PATCH_MERGE, obj, l->query, &r, d);
	else
		rc = kube_patch(k, a, path, KUBE_PATCH_STRATEGIC, obj, l->query, &r, d);
	if (rc == 0 && r.raw_len)
		printf("%s\n", r.raw);
	if (rc == 0)
		fprintf(stderr, "code=%ld retried=%d\n", r.code, r.auth_retried);
	return report(d, &r, rc);
}

static int cmd_repeat(struct kube_client *k, struct lite *l, int n, const char *path, struct diags *d)
{
	for (int i = 0; i < n; i++) {
		if (i && l->interval_ms) {
			struct timespec ts = { l->interval_ms / 1000, l->interval_ms % 1000 * 1000000 };
			nanosleep(&ts, NULL);
		}
		if (i && l->between && system(l->between) != 0) {
			fprintf(stderr, "error: --between command failed\n");
			return 2;
		}
		/* One arena per request, as a long-running caller would: memory stays flat. */
		struct arena cycle = ARENA_INIT;
		struct kube_response r;
		struct kube_req req = { .method = "GET", .path = path, .query = l->query,
					.timeout_ms = l->timeout_ms, .max_bytes = (size_t)l->max_bytes };
		int rc = kube_request(k, &cycle, &req, &r, d);
		if (rc == 0)
			fprintf(stderr, "code=%ld retried=%d\n", r.code, r.auth_retried);
		int bad = report(d, &r, rc);
		arena_free(&cycle);
		if (bad)
			return 3;
	}
	return 0;
}

static int on_event(void *ctx, const char *type, const struct node *obj, struct arena *ev)
{
	struct lite *l = ctx;
	(void)ev;
	printf("%s %s %s\n", type, node_str_or(node_at(obj, "metadata.name"), "-"),
	       node_str_or(node_at(obj, "metadata.resourceVersion"), "-"));
	fflush(stdout);
	return l->max && ++l->events >= l->max;
}

static int cmd_watch(struct kube_client *k, struct arena *a, struct lite *l, const char *path,
		     struct diags *d)
{
	static const char *const ends[] = { "", "deadline", "stopped", "closed", "woken", "cancelled", "refused" };
	struct kube_watch_opts o = { l->for_ms ? kube_now_ms() + l->for_ms : 0, -1, NULL, 0 };
	struct kube_response r;
	int end = kube_watch(k, a, path, l->query, &o, on_event, l, &r, d);
	if (end < 0)
		return 3;
	printf("END %s\n", ends[end]);
	if (end == KUBE_WATCH_REFUSED)
		return report(d, &r, 0);
	return 0;
}

/* resolve APIVERSION KIND: "plural namespaced|cluster path-of-x" */
static int cmd_resolve(struct kube_client *k, struct arena *a, struct lite *l, const char *av,
		       const char *kind, struct diags *d)
{
	struct kube_resource r;
	int rc = l->discover ? kube_resource_discover(k, av, kind, &r, d)
			     : kube_resource_find(k, av, kind, &r, d);
	if (rc < 0)
		return 3;
	printf("%s %s %s\n", r.plural, r.namespaced ? "namespaced" : "cluster",
	       kube_path(a, &r, kube_client_config(k)->namespace, "x", NULL));
	return 0;
}

static int dispatch(struct kube_client *k, struct arena *a, struct lite *l, struct opt_args *args,
		    struct diags *d)
{
	const char *cmd = args->v[0];
	if (!strcmp(cmd, "get") && args->n == 2)
		return cmd_request(k, a, l, "GET", args->v[1], d);
	if (!strcmp(cmd, "request") && args->n == 3)
		return cmd_request(k, a, l, args->v[1], args->v[2], d);
	if (!strcmp(cmd, "repeat") && args->n == 3)
		return cmd_repeat(k, l, atoi(args->v[1]), args->v[2], d);
	static const char *const verbs[] = { "create", "replace", "delete", "apply", "merge", "strategic" };
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(cmd, verbs[i]) && args->n == 2)
			return cmd_shorthand(k, a, l, cmd, args->v[1], d);
	if (!strcmp(cmd, "resolve") && args->n == 3)
		return cmd_resolve(k, a, l, args->v[1], args->v[2], d);
	if (!strcmp(cmd, "watch") && args->n == 2)
		return cmd_watch(k, a, l, args->v[1], d);
	usage(stderr);
	return 2;
}

static void print_stats(const struct kube_client *k)
{
	struct kube_client_stats s;
	kube_client_stats(k, &s);
	fprintf(stderr, "requests=%lu connects=%lu token_reads=%lu exec_runs=%lu\n", s.requests,
		s.connects, s.token_reads, s.exec_runs);
}

int main(int argc, char **argv)
{
	struct lite l = { 0 };
	char *pos[argc + 1], err[512];
	struct opt_args args = { pos, 0, NULL, 0 };
	if (opts_parse(tables, argc - 1, argv + 1, on_opt, &l, false, &args, err, sizeof(err)) < 0) {
		fprintf(stderr, "error: %s\n", err);
		return 2;
	}
	if (l.help || !args.n) {
		usage(l.help ? stdout : stderr);
		return l.help ? 0 : 2;
	}
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct kube_config cfg;
	int rc = 3;
	struct kube_client *k = NULL;
	if (kube_config_load(&a, &l.kf, NULL, &cfg, &d) < 0)
		goto out;
	diags_flush_warnings(stderr, &d);
	if (!strcmp(args.v[0], "config")) {
		rc = cmd_config(&a, &cfg);
		goto out;
	}
	struct kube_client_opts o = { .user_agent = "kubectl-lite/test",
				      .token_reload_ms = l.token_reload_ms };
	if (!(k = kube_client_new(&cfg, &o, &d)))
		goto out;
	rc = dispatch(k, &a, &l, &args, &d);
	if (l.stats)
		print_stats(k);
out:
	diags_print(stderr, &d);
	kube_client_free(k);
	arena_free(&a);
	return rc;
}

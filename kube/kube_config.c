/* kube_config.c -- kubeconfig files merged and resolved like kubectl, with the in-cluster fallback. */
#include "kube_config.h"
#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "kube_util.h"
#include "yaml_in.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KUBECONFIG_MAX_BYTES (16u << 20)

/* One named entry of clusters/users/contexts, remembered with its file. */
struct kc_entry {
	const char *name;
	const struct node *body;  /* the cluster/user/context map, or NULL */
	const struct node *item;  /* the list item (positions) */
	const char *file;
	const char *dir;          /* absolute folder of file: base of relative paths */
	const char *list;         /* "clusters", "users", "contexts" */
	const char *sub;          /* "cluster", "user", "context" */
	size_t index;
};

struct kc_list {
	struct kc_entry *v;
	size_t n, cap;
};

struct kc {
	struct arena *a;
	struct diags *d;
	struct kc_list clusters, users, contexts;
	const char *current_context, *cc_file;
	const char *files_desc; /* for messages */
};

/* ---- which files ---- */

static void add_file(struct arena *a, const char ***v, size_t *n, const char *path)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], path))
			return; /* client-go drops repeated entries */
	*v = arena_grow(a, *v, *n * sizeof(**v), (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = path;
}

size_t kube_config_files(struct arena *a, const struct kube_flags *f, const struct kube_env *env,
			 const char ***files)
{
	const char **v = NULL;
	size_t n = 0;
	if (f && f->kubeconfig) {
		add_file(a, &v, &n, f->kubeconfig);
	} else if (env->kubeconfig) {
		for (const char *p = env->kubeconfig; *p;) {
			const char *colon = strchr(p, ':');
			size_t len = colon ? (size_t)(colon - p) : strlen(p);
			if (len)
				add_file(a, &v, &n, arena_strndup(a, p, len));
			p += len + (colon != NULL);
		}
	} else if (env->home) {
		add_file(a, &v, &n, arena_printf(a, "%s/.kube/config", env->home));
	}
	*files = v;
	return n;
}

/* ---- reading and merging ---- */

static const char *abs_dir(struct arena *a, const char *file)
{
	const char *slash = strrchr(file, '/');
	const char *dir = slash ? arena_strndup(a, file, slash == file ? 1 : (size_t)(slash - file)) : ".";
	if (dir[0] == '/')
		return dir;
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return dir;
	return strcmp(dir, ".") ? arena_printf(a, "%s/%s", cwd, dir) : arena_strdup(a, cwd);
}

static struct kc_entry *kc_find(const struct kc_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static int merge_item(struct kc *k, struct kc_list *l, const struct kc_entry *e, const char **seen,
		      size_t nseen)
{
	for (size_t i = 0; i < nseen; i++)
		if (!strcmp(seen[i], e->name)) {
			diag_error(k->d, &e->item->pos, e->list, "duplicate name \"%s\" in %s", e->name,
				   e->list);
			return -1;
		}
	if (kc_find(l, e->name))
		return 0; /* an earlier file set it: first one wins, never merged */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		l->v = arena_grow(k->a, l->v, l->n * sizeof(*l->v), cap * sizeof(*l->v));
		l->cap = cap;
	}
	l->v[l->n++] = *e;
	return 0;
}

static int merge_list(struct kc *k, const struct node *root, const char *list, const char *sub,
		      struct kc_list *l, const char *file, const char *dir)
{
	const struct node *seq = map_get(root, list);
	if (!seq || node_is_null(seq))
		return 0;
	if (seq->kind != NODE_SEQ) {
		diag_error(k->d, &seq->pos, list, "must be a list");
		return -1;
	}
	const char **seen = arena_alloc(k->a, (seq->u.seq.n + 1) * sizeof(*seen));
	size_t nseen = 0;
	int rc = 0;
	for (size_t i = 0; i < seq->u.seq.n; i++) {
		const struct node *it = seq->u.seq.v[i];
		const char *path = arena_printf(k->a, "%s[%zu]", list, i);
		const char *name = NULL;
		if (it->kind != NODE_MAP || !node_get_str(map_get(it, "name"), &name) || !*name) {
			diag_error(k->d, &it->pos, path, "each entry needs a name and a %s", sub);
			rc = -1;
			continue;
		}
		const struct node *body = map_get(it, sub);
		if (body && !node_is_null(body) && body->kind != NODE_MAP) {
			diag_error(k->d, &body->pos, arena_printf(k->a, "%s.%s", path, sub), "must be a mapping");
			rc = -1;
			continue;
		}
		struct kc_entry e = { name, body && body->kind == NODE_MAP ? body : NULL, it, file, dir,
				      list, sub, i };
		if (merge_item(k, l, &e, seen, nseen) < 0)
			rc = -1;
		seen[nseen++] = name;
	}
	return rc;
}

static int merge_root(struct kc *k, const struct node *root, const char *file)
{
	if (node_is_null(root))
		return 0;
	if (root->kind != NODE_MAP) {
		diag_error(k->d, &root->pos, "", "a kubeconfig must be a mapping (apiVersion: v1, kind: Config)");
		return -1;
	}
	const char *dir = abs_dir(k->a, file);
	int rc = 0;
	rc |= merge_list(k, root, "clusters", "cluster", &k->clusters, file, dir);
	rc |= merge_list(k, root, "users", "user", &k->users, file, dir);
	rc |= merge_list(k, root, "contexts", "context", &k->contexts, file, dir);
	const char *cc = NULL;
	const struct node *ccn = map_get(root, "current-context");
	if (ccn && !node_is_null(ccn) && !node_get_str(ccn, &cc)) {
		diag_error(k->d, &ccn->pos, "current-context", "must be a string");
		rc = -1;
	}
	if (cc && *cc && !k->current_context) {
		k->current_context = cc;
		k->cc_file = file;
	}
	return rc ? -1 : 0;
}

static int load_file(struct kc *k, const char *path, bool must_exist)
{
	struct buf b;
	buf_init(&b, KUBECONFIG_MAX_BYTES);
	if (buf_read_path(&b, path) < 0) {
		int err = errno;
		buf_release(&b);
		if (err == ENOENT && !must_exist)
			return 0; /* missing KUBECONFIG entries are skipped, as kubectl does */
		diag_error(k->d, NULL, "", "cannot read kubeconfig %s: %s", path,
			   err == EFBIG ? "file too large" : strerror(err));
		return -1;
	}
	struct doclist l = { 0 };
	int rc = yaml_parse(k->a, path, b.data, b.len, NULL, &l, k->d);
	buf_release(&b);
	if (rc < 0)
		return -1;
	return l.n ? merge_root(k, l.v[0].root, path) : 0;
}

static int load_all(struct kc *k, const struct kube_flags *f, const struct kube_env *env)
{
	const char **files;
	size_t n = kube_config_files(k->a, f, env, &files);
	struct buf desc = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (load_file(k, files[i], f && f->kubeconfig) < 0)
			rc = -1;
		buf_addf(&desc, "%s%s", i ? ":" : "", files[i]);
	}
	k->files_desc = arena_strdup(k->a, desc.data);
	buf_release(&desc);
	return rc;
}

/* ---- typed field readers, with positions for every complaint ---- */

static const char *fpath(struct kc *k, const struct kc_entry *e, const char *field)
{
	return arena_printf(k->a, "%s[%zu].%s.%s", e->list, e->index, e->sub, field);
}

static int get_str(struct kc *k, const struct kc_entry *e, const struct node *m, const char *key,
		   const char **out)
{
	const struct node *n = map_get(m, key);
	if (!n || node_is_null(n))
		return 0;
	if (n->kind != NODE_SCALAR || n->u.sc.type != SCALAR_STR) {
		diag_error(k->d, &n->pos, fpath(k, e, key), "must be a string");
		return -1;
	}
	if (n->u.sc.len)
		*out = n->u.sc.s;
	return 0;
}

static int get_bool(struct kc *k, const struct kc_entry *e, const struct node *m, const char *key,
		    bool *out)
{
	const struct node *n = map_get(m, key);
	if (!n || node_is_null(n))
		return 0;
	if (!node_get_bool(n, out)) {
		diag_error(k->d, &n->pos, fpath(k, e, key), "must be true or false");
		return -1;
	}
	return 0;
}

/* dir + "/" + p, cleaned like Go's filepath.Join ("." and ".." segments
 * and doubled slashes removed). */
static const char *join_clean(struct arena *a, const char *dir, const char *p)
{
	const char *joined = arena_printf(a, "%s/%s", dir, p);
	char *out = arena_alloc(a, strlen(joined) + 2);
	size_t n = 0;
	for (const char *s = joined; *s;) {
		while (*s == '/')
			s++;
		size_t len = strcspn(s, "/");
		if (!len)
			break;
		if (len == 1 && s[0] == '.') {
			/* skip */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (n && out[n - 1] != '/')
				n--;
			if (n)
				n--;
		} else {
			out[n++] = '/';
			memcpy(out + n, s, len);
			n += len;
		}
		s += len;
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

static const char *resolve_path(struct kc *k, const struct kc_entry *e, const char *p)
{
	return p && p[0] != '/' ? join_clean(k->a, e->dir, p) : p;
}

static int get_path(struct kc *k, const struct kc_entry *e, const struct node *m, const char *key,
		    const char **out)
{
	const char *p = NULL;
	if (get_str(k, e, m, key, &p) < 0)
		return -1;
	if (p)
		*out = resolve_path(k, e, p);
	return 0;
}

static int get_data(struct kc *k, const struct kc_entry *e, const struct node *m, const char *key,
		    struct kube_blob *out)
{
	const char *s = NULL;
	if (get_str(k, e, m, key, &s) < 0)
		return -1;
	if (!s)
		return 0;
	unsigned char *data;
	size_t len;
	if (!kube_base64_decode(k->a, s, strlen(s), &data, &len)) {
		diag_error(k->d, &map_get(m, key)->pos, fpath(k, e, key), "is not valid base64");
		return -1;
	}
	out->data = data;
	out->len = len;
	return 0;
}

static int get_str_list(struct kc *k, const struct kc_entry *e, const struct node *m,
			const char *key, const char *const **out, size_t *n)
{
	const struct node *s = map_get(m, key);
	if (!s || node_is_null(s))
		return 0;
	if (s->kind != NODE_SEQ) {
		diag_error(k->d, &s->pos, fpath(k, e, key), "must be a list of strings");
		return -1;
	}
	const char **v = arena_alloc(k->a, (s->u.seq.n + 1) * sizeof(*v));
	for (size_t i = 0; i < s->u.seq.n; i++) {
		const struct node *it = s->u.seq.v[i];
		if (it->kind != NODE_SCALAR) {
			diag_error(k->d, &it->pos, fpath(k, e, key), "must be a list of strings");
			return -1;
		}
		v[i] = it->u.sc.s;
	}
	*out = v;
	*n = s->u.seq.n;
	return 0;
}

/* ---- the pieces of a resolved configuration ---- */

struct resolved {
	const struct kc_entry *context, *cluster, *user;
	const char *ctx_namespace;
};

static int read_cluster(struct kc *k, const struct kc_entry *e, struct kube_config *c)
{
	const struct node *m = e->body;
	int rc = 0;
	rc |= get_str(k, e, m, "server", &c->server);
	rc |= get_str(k, e, m, "tls-server-name", &c->tls_server_name);
	rc |= get_bool(k, e, m, "insecure-skip-tls-verify", &c->insecure);
	rc |= get_path(k, e, m, "certificate-authority", &c->ca_file);
	rc |= get_data(k, e, m, "certificate-authority-data", &c->ca_data);
	rc |= get_str(k, e, m, "proxy-url", &c->proxy_url);
	if (c->ca_file)
		c->ca_origin = arena_printf(k->a, "certificate-authority %s (cluster \"%s\" in %s)",
					    c->ca_file, e->name, e->file);
	else if (c->ca_data.data)
		c->ca_origin = arena_printf(k->a, "certificate-authority-data of cluster \"%s\" in %s",
					    e->name, e->file);
	return rc ? -1 : 0;
}

static int read_exec_env(struct kc *k, const struct kc_entry *e, const struct node *env,
			 struct kube_exec_config *x)
{
	if (!env || node_is_null(env))
		return 0;
	const char *path = fpath(k, e, "exec.env");
	if (env->kind != NODE_SEQ) {
		diag_error(k->d, &env->pos, path, "must be a list of {name, value}");
		return -1;
	}
	const char **v = arena_alloc(k->a, (env->u.seq.n + 1) * sizeof(*v));
	for (size_t i = 0; i < env->u.seq.n; i++) {
		const struct node *it = env->u.seq.v[i];
		const char *name = NULL;
		const char *value = node_text(map_get(it, "value"));
		if (it->kind != NODE_MAP || !node_get_str(map_get(it, "name"), &name) || !*name ||
		    strchr(name, '=')) {
			diag_error(k->d, &it->pos, path,
				   "env variable name must be specified for user \"%s\" to use exec "
				   "authentication plugin", e->name);
			return -1;
		}
		v[i] = arena_printf(k->a, "%s=%s", name, value && !node_is_null(map_get(it, "value")) ? value : "");
	}
	x->env = v;
	x->nenv = env->u.seq.n;
	return 0;
}

static int exec_interactive(struct kc *k, const struct kc_entry *e, const struct node *ex,
			    struct kube_exec_config *x)
{
	const char *mode = NULL;
	if (get_str(k, e, ex, "interactiveMode", &mode) < 0)
		return -1;
	bool v1 = !strcmp(x->api_version, "client.authentication.k8s.io/v1");
	if (!mode && v1) {
		diag_error(k->d, &ex->pos, fpath(k, e, "exec"),
			   "interactiveMode must be specified for user \"%s\" to use exec "
			   "authentication plugin", e->name);
		return -1;
	}
	if (!mode || !strcmp(mode, "IfAvailable"))
		x->interactive = KUBE_EXEC_IF_AVAILABLE;
	else if (!strcmp(mode, "Never"))
		x->interactive = KUBE_EXEC_NEVER;
	else if (!strcmp(mode, "Always"))
		x->interactive = KUBE_EXEC_ALWAYS;
	else {
		diag_error(k->d, &map_get(ex, "interactiveMode")->pos, fpath(k, e, "exec.interactiveMode"),
			   "invalid interactiveMode for user \"%s\": \"%s\" (want Never, IfAvailable "
			   "or Always)", e->name, mode);
		return -1;
	}
	return 0;
}

static int read_exec(struct kc *k, const struct kc_entry *e, const struct node *ex,
		     struct kube_config *c)
{
	if (ex->kind != NODE_MAP) {
		diag_error(k->d, &ex->pos, fpath(k, e, "exec"), "must be a mapping");
		return -1;
	}
	struct kube_exec_config *x = arena_alloc(k->a, sizeof(*x));
	struct kc_entry sub = *e;
	sub.sub = arena_printf(k->a, "%s.exec", e->sub);
	if (get_str(k, &sub, ex, "command", &x->command) < 0 ||
	    get_str(k, &sub, ex, "apiVersion", &x->api_version) < 0 ||
	    get_str(k, &sub, ex, "installHint", &x->install_hint) < 0 ||
	    get_bool(k, &sub, ex, "provideClusterInfo", &x->provide_cluster_info) < 0 ||
	    get_str_list(k, &sub, ex, "args", &x->args, &x->nargs) < 0 ||
	    read_exec_env(k, e, map_get(ex, "env"), x) < 0)
		return -1;
	if (!x->command || !x->api_version) {
		diag_error(k->d, &ex->pos, fpath(k, e, "exec"),
			   "%s must be specified for user \"%s\" to use exec authentication plugin",
			   x->command ? "apiVersion" : "command", e->name);
		return -1;
	}
	if (strcmp(x->api_version, "client.authentication.k8s.io/v1") &&
	    strcmp(x->api_version, "client.authentication.k8s.io/v1beta1")) {
		diag_error(k->d, &map_get(ex, "apiVersion")->pos, fpath(k, e, "exec.apiVersion"),
			   "exec plugin: invalid apiVersion \"%s\" (want client.authentication.k8s.io/v1 "
			   "or v1beta1)", x->api_version);
		return -1;
	}
	if (exec_interactive(k, e, ex, x) < 0)
		return -1;
	/* Only a command with a '/' is a path (relative to the kubeconfig);
	 * a bare name is looked up in PATH. */
	if (strchr(x->command, '/'))
		x->command = resolve_path(k, e, x->command);
	c->exec = x;
	return 0;
}

static int read_user(struct kc *k, const struct kc_entry *e, struct kube_config *c)
{
	const struct node *m = e->body;
	int rc = 0;
	rc |= get_path(k, e, m, "client-certificate", &c->cert_file);
	rc |= get_data(k, e, m, "client-certificate-data", &c->cert_data);
	rc |= get_path(k, e, m, "client-key", &c->key_file);
	rc |= get_data(k, e, m, "client-key-data", &c->key_data);
	rc |= get_str(k, e, m, "token", &c->token);
	rc |= get_path(k, e, m, "tokenFile", &c->token_file);
	rc |= get_str(k, e, m, "username", &c->username);
	rc |= get_str(k, e, m, "password", &c->password);
	rc |= get_str(k, e, m, "as", &c->as_user);
	rc |= get_str(k, e, m, "as-uid", &c->as_uid);
	rc |= get_str_list(k, e, m, "as-groups", &c->as_groups, &c->nas_groups);
	const struct node *ap = map_get(m, "auth-provider");
	if (ap && !node_is_null(ap)) {
		diag_error(k->d, &ap->pos, fpath(k, e, "auth-provider"),
			   "auth-provider \"%s\" is not supported (client-go removed the in-tree "
			   "providers); use an exec credential plugin instead",
			   node_str_or(map_get(ap, "name"), "?"));
		rc = -1;
	}
	const struct node *ex = map_get(m, "exec");
	if (ex && !node_is_null(ex) && read_exec(k, e, ex, c) < 0)
		rc = -1;
	c->auth_origin = arena_printf(k->a, "user \"%s\" in %s", e->name, e->file);
	return rc ? -1 : 0;
}

/* ---- picking context, cluster and user ---- */

static const struct kc_entry *pick(struct kc *k, const struct kc_list *l, const char *what,
				   const char *name, const char *flag, const char *ctx)
{
	const struct kc_entry *e = kc_find(l, name);
	if (e)
		return e;
	if (flag)
		diag_error(k->d, NULL, "", "%s \"%s\" does not exist (--%s; kubeconfig %s)", what, name,
			   flag, k->files_desc);
	else
		diag_error(k->d, NULL, "", "%s \"%s\" of context \"%s\" does not exist (kubeconfig %s)",
			   what, name, ctx, k->files_desc);
	return NULL;
}

static int pick_entries(struct kc *k, const struct kube_flags *f, struct resolved *r)
{
	const char *ctx_name = f->context ? f->context : k->current_context;
	if (ctx_name) {
		r->context = kc_find(&k->contexts, ctx_name);
		if (!r->context) {
			if (f->context)
				diag_error(k->d, NULL, "", "context \"%s\" does not exist (kubeconfig %s)",
					   ctx_name, k->files_desc);
			else
				diag_error(k->d, NULL, "", "context \"%s\" does not exist (current-context in %s)",
					   ctx_name, k->cc_file);
			return -1;
		}
	}
	const struct node *cm = r->context ? r->context->body : NULL;
	const char *cluster = f->cluster ? f->cluster : node_str_or(map_get(cm, "cluster"), NULL);
	const char *user = f->user ? f->user : node_str_or(map_get(cm, "user"), NULL);
	r->ctx_namespace = node_str_or(map_get(cm, "namespace"), NULL);
	if (r->ctx_namespace && !*r->ctx_namespace)
		r->ctx_namespace = NULL;
	if (cluster && *cluster &&
	    !(r->cluster = pick(k, &k->clusters, "cluster", cluster, f->cluster ? "cluster" : NULL, ctx_name)))
		return -1;
	if (user && *user && !(r->user = pick(k, &k->users, "user", user, f->user ? "user" : NULL, ctx_name)))
		return -1;
	return 0;
}

/* ---- flags on top ---- */

static void apply_cluster_flags(struct kc *k, const struct kube_flags *f, struct kube_config *c)
{
	if (f->server)
		c->server = f->server;
	/* --server drops the file's tls-server-name unless one is given too. */
	if (f->server || f->tls_server_name)
		c->tls_server_name = f->tls_server_name;
	if (f->certificate_authority || f->insecure_skip_tls_verify) {
		c->insecure = f->insecure_skip_tls_verify;
		c->ca_file = f->certificate_authority;
		c->ca_data = (struct kube_blob){ NULL, 0 };
		c->ca_origin = f->certificate_authority
			? arena_printf(k->a, "--certificate-authority %s", f->certificate_authority) : NULL;
	}
}

static void apply_user_flags(struct kc *k, const struct kube_flags *f, struct kube_config *c)
{
	if (f->token) {
		/* The flag's token is used as given, never replaced by a tokenFile. */
		c->token = f->token;
		c->token_file = NULL;
		c->auth_origin = "--token";
	}
	if (f->client_certificate) {
		c->cert_file = f->client_certificate;
		c->cert_data = (struct kube_blob){ NULL, 0 };
	}
	if (f->client_key) {
		c->key_file = f->client_key;
		c->key_data = (struct kube_blob){ NULL, 0 };
	}
	if (f->as)
		c->as_user = f->as;
	if (f->as_uid)
		c->as_uid = f->as_uid;
	if (f->nas_groups) {
		const char **g = arena_alloc(k->a, f->nas_groups * sizeof(*g));
		memcpy(g, f->as_groups, f->nas_groups * sizeof(*g));
		c->as_groups = g;
		c->nas_groups = f->nas_groups;
	}
}

/* ---- checks, with kubectl's messages ---- */

static int check_readable(struct kc *k, const char *what, const char *path, const char *owner)
{
	if (!path || access(path, R_OK) == 0)
		return 0;
	diag_error(k->d, NULL, "", "unable to read %s %s for %s: %s", what, path, owner, strerror(errno));
	return -1;
}

static int check_cluster(struct kc *k, const struct kube_config *c)
{
	const char *owner = c->cluster_name ? arena_printf(k->a, "cluster \"%s\"", c->cluster_name) : "the cluster";
	int rc = 0;
	if (c->ca_file && c->ca_data.data) {
		diag_error(k->d, NULL, "", "certificate-authority-data and certificate-authority are both "
			   "specified for %s; specify only one", owner);
		rc = -1;
	}
	if (c->insecure && (c->ca_file || c->ca_data.data)) {
		diag_error(k->d, NULL, "", "specifying a root certificates file with the insecure flag "
			   "is not allowed (%s)", owner);
		rc = -1;
	}
	if (check_readable(k, "certificate-authority", c->ca_file, owner) < 0)
		rc = -1;
	return rc;
}

static int check_user(struct kc *k, const struct kube_config *c)
{
	const char *owner = c->user_name ? arena_printf(k->a, "user \"%s\"", c->user_name) : "the user";
	int rc = 0;
	bool cert = c->cert_file || c->cert_data.data, key = c->key_file || c->key_data.data;
	if (c->cert_file && c->cert_data.data) {
		diag_error(k->d, NULL, "", "client-certificate-data and client-certificate are both "
			   "specified for %s; specify only one", owner);
		rc = -1;
	}
	if (c->key_file && c->key_data.data) {
		diag_error(k->d, NULL, "", "client-key-data and client-key are both specified for %s; "
			   "specify only one", owner);
		rc = -1;
	}
	if (cert != key) {
		diag_error(k->d, NULL, "", "%s must be specified for %s to use the clientCert "
			   "authentication method", cert ? "client-key-data or client-key"
			   : "client-certificate-data or client-certificate", owner);
		rc = -1;
	}
	for (const char *p = c->token ? c->token : ""; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			diag_error(k->d, NULL, "", "the token of %s holds control characters", owner);
			rc = -1;
			break;
		}
	if ((c->token || c->token_file) && (c->username || c->password)) {
		diag_error(k->d, NULL, "", "more than one authentication method found for %s; found "
			   "[token basicAuth], only one is allowed", owner);
		rc = -1;
	}
	if (!c->as_user && (c->as_uid || c->nas_groups)) {
		/* kube-apiserver would answer 500; client-go refuses before sending. */
		diag_error(k->d, NULL, "", "requesting uid, groups or user-extra for %s without "
			   "impersonating a user", c->user_name ? c->user_name : "the user");
		rc = -1;
	}
	if (check_readable(k, "client-certificate", c->cert_file, owner) < 0 ||
	    check_readable(k, "client-key", c->key_file, owner) < 0 ||
	    check_readable(k, "tokenFile", c->token_file, owner) < 0)
		rc = -1;
	return rc;
}

/* ---- in-cluster ---- */

static bool in_cluster_possible(const struct kube_env *env)
{
	if (!env->service_host || !env->service_port)
		return false;
	char path[4096];
	snprintf(path, sizeof(path), "%s/token", env->sa_dir);
	return access(path, F_OK) == 0;
}

static void in_cluster(struct kc *k, const struct kube_flags *f, const struct kube_env *env,
		       struct kube_config *c)
{
	/* An IPv6 address needs brackets in a URL (net.JoinHostPort). */
	bool v6 = strchr(env->service_host, ':') != NULL;
	c->server = arena_printf(k->a, "https://%s%s%s:%s", v6 ? "[" : "", env->service_host,
				 v6 ? "]" : "", env->service_port);
	c->in_cluster = true;
	c->token_file = arena_printf(k->a, "%s/token", env->sa_dir);
	c->auth_origin = "the service account token";
	c->ca_file = arena_printf(k->a, "%s/ca.crt", env->sa_dir);
	c->ca_origin = arena_printf(k->a, "the service account CA %s", c->ca_file);
	if (f->token) {
		c->token = f->token;
		c->token_file = NULL;
		c->auth_origin = "--token";
	}
	if (f->certificate_authority) {
		c->ca_file = f->certificate_authority;
		c->ca_origin = arena_printf(k->a, "--certificate-authority %s", f->certificate_authority);
	}
	if (f->tls_server_name)
		c->tls_server_name = f->tls_server_name;
}

static const char *in_cluster_namespace(struct kc *k, const struct kube_env *env)
{
	if (env->pod_namespace)
		return env->pod_namespace;
	struct buf b;
	buf_init(&b, 4096);
	const char *ns = NULL;
	char path[4096];
	snprintf(path, sizeof(path), "%s/namespace", env->sa_dir);
	if (buf_read_path(&b, path) == 0) {
		size_t s = 0, e = b.len;
		while (s < e && strchr(" \t\r\n", b.data[s]))
			s++;
		while (e > s && strchr(" \t\r\n", b.data[e - 1]))
			e--;
		if (e > s)
			ns = arena_strndup(k->a, b.data + s, e - s);
	}
	buf_release(&b);
	return ns;
}

/* ---- putting it together ---- */

/* A query string or fragment would land inside every request path (server +
 * "/api/v1/...?..."), so it is refused rather than sent somewhere else.
 * Messages show the server with its password hidden, as kubectl does. */
static int normalize_server(struct kc *k, const struct kube_flags *f, struct kube_config *c)
{
	if (!strstr(c->server, "://")) {
		/* client-go: no scheme means https when TLS is configured, else http. */
		bool tls = c->ca_file || c->ca_data.data || c->insecure || c->cert_file || c->cert_data.data;
		c->server = arena_printf(k->a, "%s://%s", tls ? "https" : "http", c->server);
	}
	size_t n = strlen(c->server);
	while (n && c->server[n - 1] == '/')
		n--;
	c->server = arena_strndup(k->a, c->server, n);
	c->server_shown = kube_url_redacted(k->a, c->server);
	const char *extra = strpbrk(c->server_shown, "?#");
	if (!extra)
		return 0;
	diag_error(k->d, NULL, "", "the server URL \"%s\" (%s%s%s) has a %s: remove \"%s\" (a server URL is "
		   "scheme://host[:port][/path])", c->server_shown, f->server ? "--server" : "cluster \"",
		   f->server ? "" : c->cluster_name ? c->cluster_name : "", f->server ? "" : "\"",
		   *extra == '?' ? "query string" : "fragment", extra);
	return -1;
}

static int resolve(struct kc *k, const struct kube_flags *f, const struct kube_env *env,
		   struct kube_config *c)
{
	struct resolved r = { 0 };
	if (pick_entries(k, f, &r) < 0)
		return -1;
	if (r.context)
		c->context_name = r.context->name;
	if (r.cluster) {
		c->cluster_name = r.cluster->name;
		if (read_cluster(k, r.cluster, c) < 0)
			return -1;
	}
	apply_cluster_flags(k, f, c);
	if (!c->server) {
		if (r.cluster) {
			diag_error(k->d, &r.cluster->item->pos, "", "no server found for cluster \"%s\"",
				   r.cluster->name);
			return -1;
		}
		if (!in_cluster_possible(env)) {
			diag_error(k->d, NULL, "", "no configuration has been provided: no kubeconfig with a "
				   "current context was found (%s) and this is not a pod (the in-cluster "
				   "service account is not available); use --kubeconfig, KUBECONFIG or "
				   "--server", k->files_desc && *k->files_desc ? k->files_desc : "no files");
			return -1;
		}
		in_cluster(k, f, env, c);
	} else if (r.user) {
		c->user_name = r.user->name;
		if (read_user(k, r.user, c) < 0)
			return -1;
	}
	apply_user_flags(k, f, c);
	if (normalize_server(k, f, c) < 0)
		return -1;
	int rc = check_cluster(k, c);
	if (check_user(k, c) < 0)
		rc = -1;
	if (f->namespace && *f->namespace) {
		c->namespace = f->namespace;
		c->namespace_explicit = true;
	} else if (r.ctx_namespace && !c->in_cluster) {
		c->namespace = r.ctx_namespace;
	} else if (c->in_cluster) {
		c->namespace = in_cluster_namespace(k, env);
	}
	if (!c->namespace)
		c->namespace = "default";
	c->timeout_ms = f->request_timeout_ms;
	return rc;
}

int kube_config_load(struct arena *a, const struct kube_flags *f, const struct kube_env *env,
		     struct kube_config *out, struct diags *d)
{
	static const struct kube_flags none;
	struct kube_env penv;
	if (!env) {
		kube_env_from_process(&penv);
		env = &penv;
	}
	if (!f)
		f = &none;
	memset(out, 0, sizeof(*out));
	struct kc k = { .a = a, .d = d };
	if (load_all(&k, f, env) < 0)
		return -1;
	if (resolve(&k, f, env, out) < 0)
		return -1;
	if (out->insecure)
		diag_warn(d, NULL, "", "the API server's certificate will not be checked "
			  "(insecure-skip-tls-verify%s%s%s): connections to %s are insecure",
			  out->cluster_name && !f->insecure_skip_tls_verify ? " in cluster \"" : "",
			  out->cluster_name && !f->insecure_skip_tls_verify ? out->cluster_name : "",
			  out->cluster_name && !f->insecure_skip_tls_verify ? "\"" : "", out->server_shown);
	return 0;
}

const char *kube_config_auth_kind(const struct kube_config *c)
{
	if (c->token || c->token_file)
		return "token";
	if (c->cert_file || c->cert_data.data)
		return "client certificate";
	if (c->exec)
		return "exec plugin";
	if (c->username || c->password)
		return "basic";
	return "none";
}

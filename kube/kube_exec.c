/* kube_exec.c -- run a client-go credential plugin and read its ExecCredential. */
#include "kube_exec.h"
#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "kube_util.h"
#include "yaml_in.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void kube_exec_cred_clear(struct kube_exec_cred *c)
{
	free(c->token);
	free(c->cert);
	free(c->key);
	memset(c, 0, sizeof(*c));
}

/* ---- KUBERNETES_EXEC_INFO ---- */

static int read_ca(struct arena *a, const struct kube_config *c, struct kube_blob *out)
{
	if (c->ca_data.data) {
		*out = c->ca_data;
		return 0;
	}
	if (!c->ca_file)
		return 0;
	struct buf b;
	buf_init(&b, 1u << 20);
	int rc = buf_read_path(&b, c->ca_file);
	if (rc == 0) {
		out->data = (const unsigned char *)arena_strndup(a, b.data, b.len);
		out->len = b.len;
	}
	buf_release(&b);
	return rc;
}

static struct node *cluster_info(struct arena *a, const struct kube_config *c)
{
	struct node *m = node_map(a, NULL);
	map_put(a, m, "server", node_str(a, c->server));
	if (c->tls_server_name)
		map_put(a, m, "tls-server-name", node_str(a, c->tls_server_name));
	if (c->insecure)
		map_put(a, m, "insecure-skip-tls-verify", node_bool(a, true));
	struct kube_blob ca = { NULL, 0 };
	if (read_ca(a, c, &ca) == 0 && ca.data) {
		struct buf b = BUF_INIT;
		kube_base64_encode(&b, ca.data, ca.len);
		map_put(a, m, "certificate-authority-data", node_str(a, b.data));
		buf_release(&b);
	}
	if (c->proxy_url)
		map_put(a, m, "proxy-url", node_str(a, c->proxy_url));
	return m;
}

static char *exec_info(struct arena *a, const struct kube_exec_config *x, const struct kube_config *c,
		       bool interactive)
{
	struct node *root = node_map(a, NULL), *spec = node_map(a, NULL);
	map_put(a, root, "kind", node_str(a, "ExecCredential"));
	map_put(a, root, "apiVersion", node_str(a, x->api_version));
	if (x->provide_cluster_info && c)
		map_put(a, spec, "cluster", cluster_info(a, c));
	map_put(a, spec, "interactive", node_bool(a, interactive));
	map_put(a, root, "spec", spec);
	struct buf b = BUF_INIT;
	buf_adds(&b, "KUBERNETES_EXEC_INFO=");
	json_emit(&b, root, 0);
	char *s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

/* ---- environment and process ---- */

static bool env_overridden(const char *entry, const struct kube_exec_config *x)
{
	size_t n = strcspn(entry, "=");
	if (n == 20 && !strncmp(entry, "KUBERNETES_EXEC_INFO", 20))
		return true;
	for (size_t i = 0; i < x->nenv; i++)
		if (!strncmp(x->env[i], entry, n) && x->env[i][n] == '=')
			return true;
	return false;
}

/* Our environment, minus what the plugin's `env` sets (the configured value
 * wins, as with Go's os/exec), plus that env and KUBERNETES_EXEC_INFO. */
static char **child_env(struct arena *a, const struct kube_exec_config *x, char *info)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **v = arena_alloc(a, (n + x->nenv + 2) * sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!env_overridden(environ[i], x))
			v[k++] = environ[i];
	for (size_t i = 0; i < x->nenv; i++)
		v[k++] = (char *)x->env[i];
	v[k++] = info;
	v[k] = NULL;
	return v;
}

static char **child_argv(struct arena *a, const struct kube_exec_config *x)
{
	char **v = arena_alloc(a, (x->nargs + 2) * sizeof(*v));
	v[0] = (char *)x->command;
	for (size_t i = 0; i < x->nargs; i++)
		v[i + 1] = (char *)x->args[i];
	return v;
}

static int decide_interactive(const struct kube_exec_config *x, int stdin_fd, bool *out,
			      struct diags *d)
{
	bool tty = stdin_fd >= 0 && isatty(stdin_fd);
	switch (x->interactive) {
	case KUBE_EXEC_NEVER:
		*out = false;
		return 0;
	case KUBE_EXEC_IF_AVAILABLE:
		*out = tty;
		return 0;
	case KUBE_EXEC_ALWAYS:
		if (!tty) {
			diag_error(d, NULL, "", "exec plugin %s cannot support interactive mode: standard "
				   "input is not a terminal", x->command);
			return -1;
		}
		*out = true;
		return 0;
	}
	return -1;
}

static int spawn(const struct kube_exec_config *x, char **argv, char **envp, int stdin_fd,
		 bool interactive, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (interactive)
		posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	int rc = posix_spawnp(pid, x->command, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

static void spawn_error(const struct kube_exec_config *x, int err, struct diags *d)
{
	if (err == ENOENT)
		diag_error(d, NULL, "", "exec: executable %s not found%s%s", x->command,
			   x->install_hint ? "\n\n" : "", x->install_hint ? x->install_hint : "");
	else
		diag_error(d, NULL, "", "exec: cannot run %s: %s", x->command, strerror(err));
}

/* Read the plugin's stdout to EOF (bounded), then reap it. */
static int collect(const struct kube_exec_config *x, pid_t pid, int fd, struct buf *out,
		   struct diags *d)
{
	char chunk[8192];
	bool too_big = false;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf_add(out, chunk, (size_t)n) < 0) {
			too_big = true;
			kill(pid, SIGKILL);
			break;
		}
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (too_big) {
		diag_error(d, NULL, "", "exec plugin %s printed more than %u bytes", x->command,
			   KUBE_EXEC_MAX_OUTPUT);
		return -1;
	}
	if (WIFSIGNALED(status)) {
		diag_error(d, NULL, "", "exec: executable %s was killed by signal %d", x->command,
			   WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status)) {
		diag_error(d, NULL, "", "exec: executable %s failed with exit code %d", x->command,
			   WEXITSTATUS(status));
		return -1;
	}
	return 0;
}

static int run_plugin(struct arena *a, const struct kube_exec_config *x, const struct kube_config *c,
		      int stdin_fd, struct buf *out, struct diags *d)
{
	bool interactive;
	if (decide_interactive(x, stdin_fd, &interactive, d) < 0)
		return -1;
	char **envp = child_env(a, x, exec_info(a, x, c, interactive));
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		diag_error(d, NULL, "", "exec: pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid;
	int err = spawn(x, child_argv(a, x), envp, stdin_fd, interactive, p[1], &pid);
	close(p[1]);
	if (err) {
		close(p[0]);
		spawn_error(x, err, d);
		return -1;
	}
	int rc = collect(x, pid, p[0], out, d);
	close(p[0]);
	return rc;
}

/* ---- the ExecCredential ---- */

static struct node *parse_output(struct arena *a, const struct buf *out)
{
	struct arena scratch = ARENA_INIT;
	struct diags ignore;
	diags_init(&ignore, &scratch);
	struct node *n = json_parse(a, out->data, out->len, "stdout", &ignore);
	if (!n) {
		/* client-go's decoder takes YAML as well. */
		struct doclist l = { 0 };
		if (yaml_parse(a, "stdout", out->data, out->len, NULL, &l, &ignore) == 0 && l.n)
			n = l.v[0].root;
	}
	arena_free(&scratch);
	return n;
}

static int cred_error(const struct kube_exec_config *x, struct diags *d, const char *msg)
{
	diag_error(d, NULL, "", "exec plugin %s: %s", x->command, msg);
	return -1;
}

static int check_header(const struct kube_exec_config *x, const struct node *root, struct diags *d)
{
	const char *kind = node_str_or(map_get(root, "kind"), NULL);
	const char *version = node_str_or(map_get(root, "apiVersion"), "");
	if (!root || root->kind != NODE_MAP || !kind)
		return cred_error(x, d, "decoding stdout: not an ExecCredential object");
	if (strcmp(kind, "ExecCredential"))
		return cred_error(x, d, "decoding stdout: kind is not ExecCredential");
	if (strcmp(version, x->api_version)) {
		diag_error(d, NULL, "", "exec plugin %s is configured to use API version %s, plugin "
			   "returned version %s", x->command, x->api_version, *version ? version : "(none)");
		return -1;
	}
	return 0;
}

static char *dup_field(const struct node *status, const char *key, size_t *len)
{
	const char *s = node_str_or(map_get(status, key), NULL);
	if (!s || !*s)
		return NULL;
	if (len)
		*len = strlen(s);
	return xstrdup(s);
}

static int read_status(const struct kube_exec_config *x, const struct node *root,
		       struct kube_exec_cred *out, struct diags *d)
{
	const struct node *st = map_get(root, "status");
	if (!st || st->kind != NODE_MAP)
		return cred_error(x, d, "exec plugin didn't return a status field");
	const char *exp = node_str_or(map_get(st, "expirationTimestamp"), NULL);
	long long exp_ms = 0;
	if (exp && *exp && !kube_parse_time(exp, &exp_ms))
		return cred_error(x, d, "decoding stdout: expirationTimestamp is not an RFC 3339 time");
	struct kube_exec_cred c = { 0 };
	c.token = dup_field(st, "token", NULL);
	c.cert = (unsigned char *)dup_field(st, "clientCertificateData", &c.cert_len);
	c.key = (unsigned char *)dup_field(st, "clientKeyData", &c.key_len);
	c.expiry_ms = exp_ms;
	const char *err = NULL;
	bool ctl = false;
	for (const char *p = c.token ? c.token : ""; *p; p++)
		ctl |= (unsigned char)*p < 0x20 || *p == 0x7f;
	if (ctl)
		err = "the token holds control characters";
	else if (!c.token && !c.cert && !c.key)
		err = "exec plugin didn't return a token or cert/key pair";
	else if (!c.cert != !c.key)
		err = "exec plugin returned only certificate or key, not both";
	if (err) {
		kube_exec_cred_clear(&c);
		return cred_error(x, d, err);
	}
	*out = c;
	return 0;
}

int kube_exec_decode(const struct kube_exec_config *x, const struct buf *stdout_text, struct kube_exec_cred *out,
		     struct diags *d)
{
	struct arena a = ARENA_INIT;
	struct node *root = parse_output(&a, stdout_text);
	int rc = check_header(x, root, d);
	if (rc == 0)
		rc = read_status(x, root, out, d);
	arena_free(&a);
	return rc;
}

int kube_exec_run(const struct kube_exec_config *x, const struct kube_config *cluster, int stdin_fd,
		  struct kube_exec_cred *out, struct diags *d)
{
	struct arena a = ARENA_INIT;
	struct buf b;
	buf_init(&b, KUBE_EXEC_MAX_OUTPUT);
	int rc = run_plugin(&a, x, cluster, stdin_fd, &b, d);
	if (rc == 0)
		rc = kube_exec_decode(x, &b, out, d);
	buf_release(&b);
	arena_free(&a);
	return rc;
}

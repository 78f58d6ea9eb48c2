/* kube_auth.c -- the client's credentials: token files re-read, exec plugins cached, certificates and headers. */
#include "kube_client_int.h"
#include "kube_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX_BYTES (64u << 10)

void auth_free(struct kube_client *c)
{
	free(c->token);
	c->token = NULL;
	kube_exec_cred_clear(&c->exec);
}

/* ---- token files ---- */

static int read_token(struct kube_client *c, struct diags *d)
{
	struct buf b;
	buf_init(&b, TOKEN_MAX_BYTES);
	c->stats.token_reads++;
	if (buf_read_path(&b, c->cfg.token_file) < 0) {
		int err = errno;
		buf_release(&b);
		if (c->token)
			return 0; /* keep the last good token, as client-go does */
		diag_error(d, NULL, "", "cannot read the bearer token file %s (%s): %s", c->cfg.token_file,
			   c->cfg.auth_origin ? c->cfg.auth_origin : "tokenFile", strerror(err));
		return -1;
	}
	size_t s = 0, e = b.len;
	while (s < e && strchr(" \t\r\n", b.data[s]))
		s++;
	while (e > s && strchr(" \t\r\n", b.data[e - 1]))
		e--;
	bool ctl = false;
	for (size_t i = s; i < e; i++)
		ctl |= (unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f;
	if (e == s || ctl) {
		buf_release(&b);
		if (c->token)
			return 0;
		/* A token goes into a header line: no line breaks or controls. */
		diag_error(d, NULL, "", "the bearer token file %s %s", c->cfg.token_file,
			   ctl ? "holds control characters" : "is empty");
		return -1;
	}
	free(c->token);
	c->token = xmalloc(e - s + 1);
	memcpy(c->token, b.data + s, e - s);
	c->token[e - s] = '\0';
	c->token_read_ms = kube_now_ms();
	buf_release(&b);
	return 0;
}

/* ---- exec plugins ---- */

static bool same_bytes(const unsigned char *a, size_t al, const unsigned char *b, size_t bl)
{
	if (!a || !b)
		return a == b;
	return al == bl && !memcmp(a, b, al);
}

static int run_exec(struct kube_client *c, struct diags *d)
{
	struct kube_exec_cred n = { 0 };
	c->stats.exec_runs++;
	if (kube_exec_run(c->cfg.exec, &c->cfg, c->opts.stdin_fd, &n, d) < 0)
		return -1;
	if (c->have_exec && !same_bytes(c->exec.cert, c->exec.cert_len, n.cert, n.cert_len))
		c->fresh_connect = true; /* a new client certificate needs a new connection */
	kube_exec_cred_clear(&c->exec);
	c->exec = n;
	c->have_exec = true;
	return 0;
}

static bool exec_expired(const struct kube_client *c)
{
	return c->exec.expiry_ms && kube_wall_ms() >= c->exec.expiry_ms;
}

int auth_prepare(struct kube_client *c, struct diags *d)
{
	if (c->cfg.token && !c->token)
		c->token = xstrdup(c->cfg.token);
	if (c->cfg.token_file &&
	    (!c->token_read_ms || kube_now_ms() - c->token_read_ms >= c->opts.token_reload_ms))
		return read_token(c, d);
	if (c->use_exec && (!c->have_exec || exec_expired(c)))
		return run_exec(c, d);
	return 0;
}

static bool refresh_token(struct kube_client *c, struct diags *d)
{
	char *old = c->token ? xstrdup(c->token) : NULL;
	c->token_read_ms = 0;
	bool changed = read_token(c, d) == 0 && c->token && (!old || strcmp(old, c->token));
	free(old);
	return changed;
}

static bool refresh_exec(struct kube_client *c, struct diags *d)
{
	char *old_token = c->exec.token ? xstrdup(c->exec.token) : NULL;
	unsigned char *old_cert = NULL;
	size_t old_len = c->exec.cert_len;
	if (c->exec.cert) {
		old_cert = xmalloc(old_len + 1);
		memcpy(old_cert, c->exec.cert, old_len + 1);
	}
	bool changed = run_exec(c, d) == 0 &&
		       (!same_bytes((unsigned char *)old_token, old_token ? strlen(old_token) : 0,
				    (unsigned char *)c->exec.token, c->exec.token ? strlen(c->exec.token) : 0) ||
			!same_bytes(old_cert, old_len, c->exec.cert, c->exec.cert_len));
	free(old_token);
	free(old_cert);
	return changed;
}

/* After a 401: re-read the token file or re-run the plugin.  True when that
 * gave different credentials (worth one more try).  A failure to refresh is
 * a warning: the caller still gets the 401 itself. */
bool auth_refresh_after_401(struct kube_client *c, struct diags *d)
{
	if (!c->cfg.token_file && !c->use_exec)
		return false;
	struct arena scratch = ARENA_INIT;
	struct diags sd;
	diags_init(&sd, &scratch);
	bool changed = c->cfg.token_file ? refresh_token(c, &sd) : refresh_exec(c, &sd);
	if (sd.n)
		diag_warn(d, NULL, "", "after a 401 Unauthorized the credentials could not be "
			  "refreshed: %s", sd.v[0].msg);
	arena_free(&scratch);
	return changed;
}

/* ---- on the wire ---- */

static const char *bearer(const struct kube_client *c)
{
	if (c->token)
		return c->token;
	if (c->use_exec && c->have_exec)
		return c->exec.token;
	return NULL;
}

struct curl_slist *auth_headers(struct kube_client *c, struct curl_slist *h)
{
	struct buf b = BUF_INIT;
	const char *t = bearer(c);
	if (t) {
		buf_addf(&b, "Authorization: Bearer %s", t);
		h = curl_slist_append(h, b.data);
	}
	if (c->cfg.as_user) {
		buf_reset(&b);
		buf_addf(&b, "Impersonate-User: %s", c->cfg.as_user);
		h = curl_slist_append(h, b.data);
	}
	if (c->cfg.as_uid) {
		buf_reset(&b);
		buf_addf(&b, "Impersonate-Uid: %s", c->cfg.as_uid);
		h = curl_slist_append(h, b.data);
	}
	for (size_t i = 0; i < c->cfg.nas_groups; i++) {
		buf_reset(&b);
		buf_addf(&b, "Impersonate-Group: %s", c->cfg.as_groups[i]);
		h = curl_slist_append(h, b.data);
	}
	buf_release(&b);
	return h;
}

static void set_blob(CURL *e, CURLoption opt, const unsigned char *p, size_t len)
{
	struct curl_blob b = { (void *)p, len, CURL_BLOB_COPY };
	curl_easy_setopt(e, opt, &b);
}

/* The client certificate or its key, PEM: the kubeconfig's file, else its inline data, else what
 * the exec plugin returned (`exec` NULL when there is none). */
static void tls_pem(CURL *e, CURLoption file_opt, CURLoption blob_opt, CURLoption type_opt, const char *file,
		    const struct kube_blob *data, const unsigned char *exec, size_t exec_len)
{
	if (file)
		curl_easy_setopt(e, file_opt, file);
	else if (data->data)
		set_blob(e, blob_opt, data->data, data->len);
	else if (exec)
		set_blob(e, blob_opt, exec, exec_len);
	else
		return;
	curl_easy_setopt(e, type_opt, "PEM");
}

void auth_tls(struct kube_client *c, CURL *e)
{
	const struct kube_config *k = &c->cfg;
	bool exec = c->use_exec && c->have_exec;
	tls_pem(e, CURLOPT_SSLCERT, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLCERTTYPE, k->cert_file, &k->cert_data,
		exec ? c->exec.cert : NULL, c->exec.cert_len);
	tls_pem(e, CURLOPT_SSLKEY, CURLOPT_SSLKEY_BLOB, CURLOPT_SSLKEYTYPE, k->key_file, &k->key_data,
		exec ? c->exec.key : NULL, c->exec.key_len);
	if (k->username || k->password) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, k->username ? k->username : "");
		curl_easy_setopt(e, CURLOPT_PASSWORD, k->password ? k->password : "");
	}
}

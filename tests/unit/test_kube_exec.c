/* test_kube_exec.c -- exec credential plugins: input, output, interactive modes, errors, caching. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "kube_client.h"
#include "kube_exec.h"
#include "kube_util.h"

#include "suite.h"

static char dir[64];
static struct kube_exec_cred cred;

/* The plugin records what it saw and prints dir/response with COUNT
 * replaced by how many times it ran; dir/exit, when present, is its status. */
static const char *PLUGIN =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"n=$(cat \"$d/count\" 2>/dev/null || echo 0); n=$((n + 1)); echo $n >\"$d/count\"\n"
	"printf '%s\\n' \"$@\" >\"$d/args\"\n"
	"printf '%s' \"$KUBERNETES_EXEC_INFO\" >\"$d/info\"\n"
	"printf '%s|%s' \"${FOO-unset}\" \"${BAR-unset}\" >\"$d/env\"\n"
	"if [ -t 0 ]; then echo tty >\"$d/stdin\"; else echo notty >\"$d/stdin\"; fi\n"
	"[ -f \"$d/exit\" ] && exit $(cat \"$d/exit\")\n"
	"sed \"s/COUNT/$n/g\" \"$d/response\"\n";

static const char *path_of(const char *name)
{
	return arena_printf(&A, "%s/%s", dir, name);
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *slurp(const char *name)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(buf_read_path(&b, path_of(name)), 0, "cannot read %s", name);
	const char *s = arena_strdup(&A, b.data);
	buf_release(&b);
	return s;
}

static void setup(void)
{
	suite_setup();
	snprintf(dir, sizeof(dir), "/tmp/kubeexec-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	put("plugin", PLUGIN);
	chmod(path_of("plugin"), 0755);
	put("response", "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
			"\"status\":{\"token\":\"tok-COUNT\"}}");
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	kube_exec_cred_clear(&cred);
	suite_teardown();
}

TestSuite(exec, .init = setup, .fini = teardown);

static struct kube_exec_config plugin(enum kube_exec_interactive mode)
{
	static const char *args[] = { "get-token", "--cluster=dev" };
	static const char *env[] = { "FOO=from-config" };
	struct kube_exec_config x = { 0 };
	x.api_version = "client.authentication.k8s.io/v1";
	x.command = path_of("plugin");
	x.args = args;
	x.nargs = 2;
	x.env = env;
	x.nenv = 1;
	x.interactive = mode;
	return x;
}

static void run_ok(const struct kube_exec_config *x, const struct kube_config *c, int fd)
{
	int rc = kube_exec_run(x, c, fd, &cred, &D);
	if (rc && D.n)
		cr_log_error("%s", D.v[0].msg);
	cr_assert_eq(rc, 0);
}

static const char *run_err(const struct kube_exec_config *x, int fd)
{
	cr_assert_eq(kube_exec_run(x, NULL, fd, &cred, &D), -1);
	cr_assert_gt(D.n, 0);
	return D.v[D.n - 1].msg;
}

Test(exec, token_args_env)
{
	setenv("FOO", "from-parent", 1);
	setenv("BAR", "parent-bar", 1);
	struct kube_exec_config x = plugin(KUBE_EXEC_NEVER);
	run_ok(&x, NULL, -1);
	cr_assert_str_eq(cred.token, "tok-1");
	cr_assert_null(cred.cert);
	cr_assert_eq(cred.expiry_ms, 0);
	cr_assert_str_eq(slurp("args"), "get-token\n--cluster=dev\n");
	/* The configured env wins over ours; the rest of ours is passed on. */
	cr_assert_str_eq(slurp("env"), "from-config|parent-bar");
	cr_assert_str_eq(slurp("stdin"), "notty\n");
}

Test(exec, exec_info_and_cluster)
{
	struct kube_exec_config x = plugin(KUBE_EXEC_NEVER);
	run_ok(&x, NULL, -1);
	struct node *info = json_parse(&A, slurp("info"), strlen(slurp("info")), "info", &D);
	cr_assert_not_null(info);
	cr_assert_str_eq(node_str_or(map_get(info, "kind"), ""), "ExecCredential");
	cr_assert_str_eq(node_str_or(map_get(info, "apiVersion"), ""), "client.authentication.k8s.io/v1");
	bool interactive = true;
	cr_assert(node_get_bool(node_at(info, "spec.interactive"), &interactive));
	cr_assert(!interactive);
	cr_assert_null(node_at(info, "spec.cluster"), "no cluster unless provideClusterInfo");

	kube_exec_cred_clear(&cred);
	x.provide_cluster_info = true;
	struct kube_config c = { 0 };
	c.server = "https://10.1.2.3:6443";
	c.tls_server_name = "api";
	c.ca_data = (struct kube_blob){ (const unsigned char *)"CA-PEM", 6 };
	run_ok(&x, &c, -1);
	info = json_parse(&A, slurp("info"), strlen(slurp("info")), "info", &D);
	cr_assert_str_eq(node_str_or(node_at(info, "spec.cluster.server"), ""), "https://10.1.2.3:6443");
	cr_assert_str_eq(node_str_or(node_at(info, "spec.cluster.tls-server-name"), ""), "api");
	cr_assert_str_eq(node_str_or(node_at(info, "spec.cluster.certificate-authority-data"), ""), "Q0EtUEVN");
}

static int open_pty(int *master)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(*master, 0);
	cr_assert_eq(grantpt(*master), 0);
	cr_assert_eq(unlockpt(*master), 0);
	int slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
	cr_assert_geq(slave, 0);
	return slave;
}

Test(exec, interactive_modes)
{
	int master, tty = open_pty(&master);
	int notty = open("/dev/null", O_RDONLY);

	struct kube_exec_config x = plugin(KUBE_EXEC_IF_AVAILABLE);
	run_ok(&x, NULL, tty);
	cr_assert_str_eq(slurp("stdin"), "tty\n", "IfAvailable hands over a terminal");
	cr_assert(strstr(slurp("info"), "\"interactive\":true"));
	kube_exec_cred_clear(&cred);

	run_ok(&x, NULL, notty);
	cr_assert_str_eq(slurp("stdin"), "notty\n");
	cr_assert(strstr(slurp("info"), "\"interactive\":false"));
	kube_exec_cred_clear(&cred);

	x.interactive = KUBE_EXEC_NEVER;
	run_ok(&x, NULL, tty);
	cr_assert_str_eq(slurp("stdin"), "notty\n", "Never keeps the terminal away");
	kube_exec_cred_clear(&cred);

	x.interactive = KUBE_EXEC_ALWAYS;
	run_ok(&x, NULL, tty);
	cr_assert_str_eq(slurp("stdin"), "tty\n");
	kube_exec_cred_clear(&cred);

	const char *m = run_err(&x, notty);
	cr_assert(strstr(m, "cannot support interactive mode: standard input is not a terminal"), "%s", m);
	cr_assert_str_eq(slurp("count"), "4\n", "the plugin does not run when Always cannot be met");
	close(tty);
	close(master);
	close(notty);
}

Test(exec, certificate_and_expiry)
{
	put("response", "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
			"\"status\":{\"clientCertificateData\":\"-----BEGIN CERTIFICATE-----\\nX\\n\","
			"\"clientKeyData\":\"-----BEGIN PRIVATE KEY-----\\nY\\n\","
			"\"expirationTimestamp\":\"2031-02-03T04:05:06Z\"}}");
	struct kube_exec_config x = plugin(KUBE_EXEC_NEVER);
	run_ok(&x, NULL, -1);
	cr_assert_null(cred.token);
	cr_assert_str_eq((char *)cred.cert, "-----BEGIN CERTIFICATE-----\nX\n");
	cr_assert_eq(cred.key_len, strlen("-----BEGIN PRIVATE KEY-----\nY\n"));
	long long want;
	cr_assert(kube_parse_time("2031-02-03T04:05:06Z", &want));
	cr_assert_eq(cred.expiry_ms, want);
}

Test(exec, yaml_output_is_accepted)
{
	put("response", "apiVersion: client.authentication.k8s.io/v1\nkind: ExecCredential\n"
			"status:\n  token: yaml-COUNT\n");
	struct kube_exec_config x = plugin(KUBE_EXEC_NEVER);
	run_ok(&x, NULL, -1);
	cr_assert_str_eq(cred.token, "yaml-1");
}

Test(exec, errors_say_what_went_wrong)
{
	struct kube_exec_config x = plugin(KUBE_EXEC_NEVER);
	put("exit", "3");
	cr_assert(strstr(run_err(&x, -1), "failed with exit code 3"));
	unlink(path_of("exit"));

	x.api_version = "client.authentication.k8s.io/v1beta1";
	const char *m = run_err(&x, -1);
	cr_assert(strstr(m, "is configured to use API version client.authentication.k8s.io/v1beta1, "
			    "plugin returned version client.authentication.k8s.io/v1"), "%s", m);
	x.api_version = "client.authentication.k8s.io/v1";

	put("response", "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\"}");
	cr_assert(strstr(run_err(&x, -1), "didn't return a status field"));
	put("response", "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}");
	cr_assert(strstr(run_err(&x, -1), "didn't return a token or cert/key pair"));
	put("response", "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
			"\"status\":{\"clientCertificateData\":\"C\"}}");
	cr_assert(strstr(run_err(&x, -1), "only certificate or key, not both"));
	put("response", "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
			"\"status\":{\"token\":\"t\",\"expirationTimestamp\":\"tomorrow\"}}");
	cr_assert(strstr(run_err(&x, -1), "expirationTimestamp"));
	put("response", "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
			"\"status\":{\"token\":\"t\\r\\nX-Evil: 1\"}}");
	cr_assert(strstr(run_err(&x, -1), "the token holds control characters"));
	put("response", "garbage: [");
	cr_assert(strstr(run_err(&x, -1), "decoding stdout"));

	x.command = "feast-no-such-credential-plugin";
	x.install_hint = "Install it with: apt install feast-cred";
	m = run_err(&x, -1);
	cr_assert(strstr(m, "executable feast-no-such-credential-plugin not found"), "%s", m);
	cr_assert(strstr(m, "apt install feast-cred"), "%s", m);
}

/* The client caches the credential until it expires.  The server address
 * refuses connections, but credentials are obtained before sending. */
static unsigned long runs_after_two_requests(const char *expiry)
{
	put("response", arena_printf(&A, "{\"apiVersion\":\"client.authentication.k8s.io/v1\","
				     "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t-COUNT\""
				     "%s%s%s}}", expiry ? ",\"expirationTimestamp\":\"" : "",
				     expiry ? expiry : "", expiry ? "\"" : ""));
	unlink(path_of("count"));
	struct kube_exec_config x = plugin(KUBE_EXEC_NEVER);
	struct kube_config c = { 0 };
	c.server = "https://127.0.0.1:1";
	c.exec = &x;
	struct kube_client_opts o = { .stdin_fd = -1, .stdin_fd_set = true, .connect_timeout_ms = 2000 };
	struct kube_client *k = kube_client_new(&c, &o, &D);
	cr_assert_not_null(k);
	struct kube_response r;
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(kube_get(k, &A, "/api", NULL, &r, &D), -1);
		cr_assert_eq(r.err, KUBE_E_CONNECT, "got err %d", r.err);
	}
	struct kube_client_stats st;
	kube_client_stats(k, &st);
	kube_client_free(k);
	return st.exec_runs;
}

Test(exec, client_caches_until_expiry)
{
	cr_assert_eq(runs_after_two_requests(NULL), 1, "no expiry: run once");
	cr_assert_eq(runs_after_two_requests("2099-01-01T00:00:00Z"), 1, "valid: cached");
	cr_assert_eq(runs_after_two_requests("2001-01-01T00:00:00Z"), 2, "expired: run again");
	struct buf b = BUF_INIT;
	kube_format_microtime(&b, kube_wall_ms() + 60000);
	cr_assert_eq(runs_after_two_requests(arena_strdup(&A, b.data)), 1);
	buf_release(&b);
}

/* Token files are read before sending: unreadable, empty or header-breaking
 * content is a credentials error, not a request with a bad header. */
static enum kube_err token_file_error(const char *content)
{
	struct kube_config c = { 0 };
	c.server = "https://127.0.0.1:1";
	c.token_file = path_of("tok");
	if (content)
		put("tok", content);
	else
		unlink(path_of("tok"));
	struct kube_client *k = kube_client_new(&c, NULL, &D);
	cr_assert_not_null(k);
	struct kube_response r;
	cr_assert_eq(kube_get(k, &A, "/api", NULL, &r, &D), -1);
	kube_client_free(k);
	return r.err;
}

Test(exec, client_token_file_checks)
{
	cr_assert_eq(token_file_error("good\n"), KUBE_E_CONNECT, "a good token gets as far as connecting");
	cr_assert_eq(token_file_error("two\nlines\n"), KUBE_E_CREDENTIALS);
	cr_assert(strstr(D.v[D.n - 1].msg, "holds control characters"));
	cr_assert_eq(token_file_error(" \n"), KUBE_E_CREDENTIALS);
	cr_assert(strstr(D.v[D.n - 1].msg, "is empty"));
	cr_assert_eq(token_file_error(NULL), KUBE_E_CREDENTIALS);
	cr_assert(strstr(D.v[D.n - 1].msg, "cannot read the bearer token file"));
}

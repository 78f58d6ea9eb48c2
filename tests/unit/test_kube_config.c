/* test_kube_config.c -- kubeconfig merging, flag precedence, namespaces, in-cluster config. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "kube_config.h"
#include "kube_util.h"
#include "opts.h"

#include "suite.h"

static char dir[64];

static void setup(void)
{
	suite_setup();
	snprintf(dir, sizeof(dir), "/tmp/kubecfg-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	suite_teardown();
}

TestSuite(kubeconfig, .init = setup, .fini = teardown);

/* Write `text` to dir/name, creating folders; returns the full path. */
static const char *put(const char *name, const char *text)
{
	const char *path = arena_printf(&A, "%s/%s", dir, name);
	char *slash = strrchr(path, '/');
	char *folder = arena_strndup(&A, path, (size_t)(slash - path));
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", folder);
	cr_assert_eq(system(cmd), 0);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void show_diags(void)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < D.n; i++) {
		buf_reset(&b);
		diag_format(&b, &D.v[i]);
		cr_log_info("%s", b.data);
	}
	buf_release(&b);
}

static struct kube_env env_none(void)
{
	struct kube_env e = { 0 };
	e.sa_dir = arena_printf(&A, "%s/no-sa", dir);
	return e;
}

static struct kube_config load_ok(const struct kube_flags *f, const struct kube_env *e)
{
	struct kube_config c;
	int rc = kube_config_load(&A, f, e, &c, &D);
	if (rc)
		show_diags();
	cr_assert_eq(rc, 0);
	return c;
}

static const struct diag *load_err(const struct kube_flags *f, const struct kube_env *e, const char *want)
{
	struct kube_config c;
	cr_assert_eq(kube_config_load(&A, f, e, &c, &D), -1, "expected an error containing '%s'", want);
	for (size_t i = 0; i < D.n; i++)
		if (D.v[i].level == DIAG_ERROR && strstr(D.v[i].msg, want))
			return &D.v[i];
	show_diags();
	cr_assert_fail("no error containing '%s'", want);
	return NULL;
}

static const char *BASIC =
	"apiVersion: v1\n"
	"kind: Config\n"
	"current-context: dev\n"
	"clusters:\n"
	"- name: c1\n"
	"  cluster:\n"
	"    server: https://10.0.0.1:6443/\n"
	"    certificate-authority: certs/ca.crt\n"
	"    tls-server-name: api.internal\n"
	"users:\n"
	"- name: u1\n"
	"  user:\n"
	"    token: tok-1\n"
	"contexts:\n"
	"- name: dev\n"
	"  context: {cluster: c1, user: u1, namespace: team-a}\n";

Test(kubeconfig, single_file_current_context)
{
	const char *kc = put("config", BASIC);
	put("certs/ca.crt", "x");
	struct kube_env e = env_none();
	e.kubeconfig = kc;
	struct kube_config c = load_ok(NULL, &e);
	cr_assert_str_eq(c.server, "https://10.0.0.1:6443");
	cr_assert_str_eq(c.namespace, "team-a");
	cr_assert_str_eq(c.token, "tok-1");
	cr_assert_str_eq(c.context_name, "dev");
	cr_assert_str_eq(c.cluster_name, "c1");
	cr_assert_str_eq(c.user_name, "u1");
	cr_assert_str_eq(c.tls_server_name, "api.internal");
	/* Relative to the kubeconfig's folder, not the working directory. */
	cr_assert_str_eq(c.ca_file, arena_printf(&A, "%s/certs/ca.crt", dir));
	cr_assert(strstr(c.ca_origin, "cluster \"c1\""));
	cr_assert(!c.in_cluster);
	cr_assert_eq(D.n, 0);
}

Test(kubeconfig, home_default_file)
{
	put("home/.kube/config", BASIC);
	put("home/.kube/certs/ca.crt", "x");
	struct kube_env e = env_none();
	e.home = arena_printf(&A, "%s/home", dir);
	struct kube_config c = load_ok(NULL, &e);
	cr_assert_str_eq(c.server, "https://10.0.0.1:6443");
	const char **files;
	cr_assert_eq(kube_config_files(&A, NULL, &e, &files), 1);
	cr_assert_str_eq(files[0], arena_printf(&A, "%s/home/.kube/config", dir));
}

Test(kubeconfig, merge_first_file_wins_whole_entries)
{
	const char *a = put("a.yaml",
			    "clusters:\n"
			    "- name: shared\n"
			    "  cluster: {server: https://first:1}\n"
			    "users:\n"
			    "- name: me\n"
			    "  user: {token: from-a}\n");
	const char *b = put("b.yaml",
			    "current-context: ctx\n"
			    "clusters:\n"
			    "- name: shared\n"
			    "  cluster:\n"
			    "    server: https://second:2\n"
			    "    insecure-skip-tls-verify: true\n"
			    "- name: other\n"
			    "  cluster: {server: https://other:3}\n"
			    "users:\n"
			    "- name: me\n"
			    "  user: {token: from-b, username: bob}\n"
			    "contexts:\n"
			    "- name: ctx\n"
			    "  context: {cluster: shared, user: me}\n");
	struct kube_env e = env_none();
	e.kubeconfig = arena_printf(&A, "%s:%s", a, b);
	struct kube_config c = load_ok(NULL, &e);
	cr_assert_str_eq(c.server, "https://first:1");
	/* b's entry of the same name is ignored whole, not merged field by field. */
	cr_assert(!c.insecure);
	cr_assert_str_eq(c.token, "from-a");
	cr_assert_null(c.username);
	cr_assert_eq(D.n, 0, "no insecure warning: b's cluster is not used");
	/* The second file still contributes entries the first lacks. */
	struct kube_flags f = { .cluster = "other" };
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.server, "https://other:3");
}

Test(kubeconfig, current_context_from_first_file_that_sets_it)
{
	const char *a = put("a.yaml", "clusters: []\n");
	const char *b = put("b.yaml",
			    "current-context: from-b\n"
			    "clusters:\n- name: cb\n  cluster: {server: https://b:1}\n"
			    "contexts:\n- name: from-b\n  context: {cluster: cb}\n"
			    "- name: from-c\n  context: {cluster: cc}\n");
	const char *cfile = put("c.yaml",
				"current-context: from-c\n"
				"clusters:\n- name: cc\n  cluster: {server: https://c:1}\n");
	struct kube_env e = env_none();
	e.kubeconfig = arena_printf(&A, "%s::%s/missing.yaml:%s:%s", a, dir, b, cfile);
	struct kube_config c = load_ok(NULL, &e);
	cr_assert_str_eq(c.context_name, "from-b");
	cr_assert_str_eq(c.server, "https://b:1");
	cr_assert_str_eq(c.namespace, "default");
	const char **files;
	cr_assert_eq(kube_config_files(&A, NULL, &e, &files), 4, "empty entries dropped, missing kept");
}

Test(kubeconfig, duplicate_kubeconfig_entries_are_dropped)
{
	const char *a = put("a.yaml", BASIC);
	struct kube_env e = env_none();
	e.kubeconfig = arena_printf(&A, "%s:%s", a, a);
	const char **files;
	cr_assert_eq(kube_config_files(&A, NULL, &e, &files), 1);
}

Test(kubeconfig, explicit_kubeconfig_must_exist)
{
	struct kube_env e = env_none();
	e.kubeconfig = put("ok.yaml", BASIC); /* ignored: the flag wins */
	struct kube_flags f = { .kubeconfig = arena_printf(&A, "%s/nope.yaml", dir) };
	const struct diag *d = load_err(&f, &e, "cannot read kubeconfig");
	cr_assert(strstr(d->msg, "nope.yaml"));
	cr_assert(strstr(d->msg, "No such file"));
}

Test(kubeconfig, data_fields_are_base64_decoded)
{
	const char *kc = put("config",
			     "current-context: x\n"
			     "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
			     "    certificate-authority-data: Q0EtUEVN\n"
			     "users:\n- name: u\n  user:\n"
			     "    client-certificate-data: Q0VSVA==\n"
			     "    client-key-data: S0VZ\n"
			     "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
	struct kube_env e = env_none();
	e.kubeconfig = kc;
	struct kube_config c = load_ok(NULL, &e);
	cr_assert_eq(c.ca_data.len, 6);
	cr_assert_str_eq((const char *)c.ca_data.data, "CA-PEM");
	cr_assert_str_eq((const char *)c.cert_data.data, "CERT");
	cr_assert_str_eq((const char *)c.key_data.data, "KEY");
	cr_assert_null(c.ca_file);
	cr_assert_str_eq(kube_config_auth_kind(&c), "client certificate");
}

Test(kubeconfig, bad_base64_points_at_the_field)
{
	const char *kc = put("config",
			     "current-context: x\n"
			     "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
			     "    certificate-authority-data: not*base64\n"
			     "contexts:\n- name: x\n  context: {cluster: c}\n");
	struct kube_env e = env_none();
	e.kubeconfig = kc;
	const struct diag *d = load_err(NULL, &e, "not valid base64");
	cr_assert_str_eq(d->path, "clusters[0].cluster.certificate-authority-data");
	cr_assert_eq(d->pos.line, 6);
	cr_assert(strstr(d->pos.file, "config"));
}

Test(kubeconfig, flags_pick_and_override)
{
	const char *kc = put("config",
			     "current-context: a\n"
			     "clusters:\n"
			     "- name: ca\n  cluster: {server: https://a:1, tls-server-name: a.internal}\n"
			     "- name: cb\n  cluster: {server: https://b:1, certificate-authority-data: Q0E=}\n"
			     "users:\n"
			     "- name: ua\n  user: {token: ta}\n"
			     "- name: ub\n  user: {tokenFile: tok.txt, client-certificate-data: Q0VSVA==, client-key-data: S0VZ}\n"
			     "contexts:\n"
			     "- name: a\n  context: {cluster: ca, user: ua, namespace: na}\n"
			     "- name: b\n  context: {cluster: cb, user: ub, namespace: nb}\n");
	put("tok.txt", "secret\n");
	struct kube_env e = env_none();
	e.kubeconfig = kc;

	struct kube_flags f = { .context = "b" };
	struct kube_config c = load_ok(&f, &e);
	cr_assert_str_eq(c.server, "https://b:1");
	cr_assert_str_eq(c.namespace, "nb");
	cr_assert_str_eq(c.token_file, arena_printf(&A, "%s/tok.txt", dir));

	/* --cluster/--user replace the context's choices, namespace stays. */
	f = (struct kube_flags){ .cluster = "cb", .user = "ua" };
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.server, "https://b:1");
	cr_assert_str_eq(c.token, "ta");
	cr_assert_str_eq(c.namespace, "na");

	/* --server clears the file's tls-server-name unless given too. */
	f = (struct kube_flags){ .server = "https://override:9" };
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.server, "https://override:9");
	cr_assert_null(c.tls_server_name);
	f.tls_server_name = "n.example";
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.tls_server_name, "n.example");

	/* --certificate-authority replaces the CA data. */
	const char *caf = put("flag-ca.crt", "x");
	f = (struct kube_flags){ .context = "b", .certificate_authority = caf };
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.ca_file, caf);
	cr_assert_null(c.ca_data.data);
	cr_assert(strstr(c.ca_origin, "--certificate-authority"));

	/* --insecure-skip-tls-verify drops the CA instead of failing on both. */
	f = (struct kube_flags){ .context = "b", .insecure_skip_tls_verify = true };
	c = load_ok(&f, &e);
	cr_assert(c.insecure);
	cr_assert_null(c.ca_data.data);
	cr_assert_eq(D.warnings, 1, "insecure is never silent");

	/* --token wins over the user's tokenFile; --client-certificate/-key over data. */
	const char *cert = put("c.pem", "C"), *key = put("k.pem", "K");
	f = (struct kube_flags){ .context = "b", .token = "flagtok", .client_certificate = cert,
				 .client_key = key };
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.token, "flagtok");
	cr_assert_null(c.token_file);
	cr_assert_str_eq(c.auth_origin, "--token");
	cr_assert_str_eq(c.cert_file, cert);
	cr_assert_null(c.cert_data.data);
	cr_assert_str_eq(c.key_file, key);
	cr_assert_null(c.key_data.data);

	/* -n beats the context's namespace. */
	f = (struct kube_flags){ .namespace = "flag-ns" };
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.namespace, "flag-ns");
	cr_assert(c.namespace_explicit);
}

Test(kubeconfig, missing_names_are_errors)
{
	struct kube_env e = env_none();
	e.kubeconfig = put("config", BASIC);
	put("certs/ca.crt", "x");
	struct kube_flags f = { .context = "nope" };
	load_err(&f, &e, "context \"nope\" does not exist");
	f = (struct kube_flags){ .cluster = "nope" };
	load_err(&f, &e, "cluster \"nope\" does not exist");
	f = (struct kube_flags){ .user = "nope" };
	load_err(&f, &e, "user \"nope\" does not exist");
	e.kubeconfig = put("bad-cc", "current-context: gone\n");
	const struct diag *d = load_err(NULL, &e, "context \"gone\" does not exist");
	cr_assert(strstr(d->msg, "current-context in"));
	e.kubeconfig = put("bad-ref", "current-context: x\ncontexts:\n- name: x\n  context: {cluster: lost}\n");
	load_err(NULL, &e, "cluster \"lost\" of context \"x\" does not exist");
}

Test(kubeconfig, duplicate_names_in_one_file)
{
	struct kube_env e = env_none();
	e.kubeconfig = put("config", "clusters:\n- name: a\n  cluster: {server: https://x}\n"
				     "- name: a\n  cluster: {server: https://y}\n");
	const struct diag *d = load_err(NULL, &e, "duplicate name \"a\"");
	cr_assert_eq(d->pos.line, 4);
}

Test(kubeconfig, validation_matches_kubectl)
{
	struct kube_env e = env_none();
	e.kubeconfig = put("c1", "current-context: x\n"
				 "clusters:\n- name: c\n  cluster: {server: https://h, insecure-skip-tls-verify: true, certificate-authority-data: Q0E=}\n"
				 "contexts:\n- name: x\n  context: {cluster: c}\n");
	load_err(NULL, &e, "specifying a root certificates file with the insecure flag is not allowed");

	e.kubeconfig = put("c2", "current-context: x\n"
				 "clusters:\n- name: c\n  cluster: {server: https://h}\n"
				 "users:\n- name: u\n  user: {client-certificate-data: Q0E=}\n"
				 "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
	load_err(NULL, &e, "client-key-data or client-key must be specified for user \"u\"");

	e.kubeconfig = put("c3", "current-context: x\n"
				 "clusters:\n- name: c\n  cluster: {server: https://h, certificate-authority: nope.crt}\n"
				 "contexts:\n- name: x\n  context: {cluster: c}\n");
	load_err(NULL, &e, "unable to read certificate-authority");

	e.kubeconfig = put("c4", "current-context: x\n"
				 "clusters:\n- name: c\n  cluster: {insecure-skip-tls-verify: true}\n"
				 "contexts:\n- name: x\n  context: {cluster: c}\n");
	load_err(NULL, &e, "no server found for cluster \"c\"");

	e.kubeconfig = put("c5", "current-context: x\n"
				 "clusters:\n- name: c\n  cluster: {server: https://h}\n"
				 "users:\n- name: u\n  user: {token: t, username: a, password: b}\n"
				 "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
	load_err(NULL, &e, "more than one authentication method found");

	/* Groups or a uid to impersonate need a user to impersonate, as in kubectl. */
	e.kubeconfig = put("c5b", "current-context: x\n"
				 "clusters:\n- name: c\n  cluster: {server: https://h}\n"
				 "users:\n- name: u\n  user: {token: t, as-groups: [g]}\n"
				 "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
	load_err(NULL, &e, "requesting uid, groups or user-extra for u without impersonating a user");
	struct kube_flags uid = { .as_uid = "42" };
	load_err(&uid, &e, "requesting uid, groups or user-extra for u without impersonating a user");
	struct kube_flags as = { .as = "ops", .as_uid = "42" };
	load_ok(&as, &e);

	e.kubeconfig = put("c6", "current-context: x\n"
				 "clusters:\n- name: c\n  cluster: {server: https://h}\n"
				 "users:\n- name: u\n  user: {auth-provider: {name: gcp}}\n"
				 "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
	load_err(NULL, &e, "auth-provider \"gcp\" is not supported");

	e.kubeconfig = put("c6b", "current-context: x\n"
				 "clusters:\n- name: c\n  cluster: {server: https://h}\n"
				 "users:\n- name: u\n  user: {token: \"a\\r\\nX-Evil: 1\"}\n"
				 "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
	load_err(NULL, &e, "the token of user \"u\" holds control characters");

	e.kubeconfig = put("c7", "clusters: {a: b}\n");
	const struct diag *d = load_err(NULL, &e, "must be a list");
	cr_assert_str_eq(d->path, "clusters");
}

static const char *EXEC_HEAD =
	"current-context: x\n"
	"clusters:\n- name: c\n  cluster: {server: https://h}\n"
	"contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
	"users:\n- name: u\n  user:\n    exec:\n";

Test(kubeconfig, exec_section)
{
	struct kube_env e = env_none();
	e.kubeconfig = put("e1", arena_printf(&A, "%s"
		"      apiVersion: client.authentication.k8s.io/v1\n"
		"      command: ./bin/cred\n"
		"      args: [get, --fast]\n"
		"      env:\n      - {name: A, value: one}\n      - {name: B, value: null}\n"
		"      interactiveMode: Never\n"
		"      provideClusterInfo: true\n"
		"      installHint: install cred\n", EXEC_HEAD));
	struct kube_config c = load_ok(NULL, &e);
	cr_assert_not_null(c.exec);
	cr_assert_str_eq(c.exec->command, arena_printf(&A, "%s/bin/cred", dir));
	cr_assert_eq(c.exec->nargs, 2);
	cr_assert_str_eq(c.exec->args[1], "--fast");
	cr_assert_eq(c.exec->nenv, 2);
	cr_assert_str_eq(c.exec->env[0], "A=one");
	cr_assert_str_eq(c.exec->env[1], "B=");
	cr_assert_eq(c.exec->interactive, KUBE_EXEC_NEVER);
	cr_assert(c.exec->provide_cluster_info);
	cr_assert_str_eq(c.exec->install_hint, "install cred");
	cr_assert_str_eq(kube_config_auth_kind(&c), "exec plugin");

	/* A bare command is looked up in PATH, not made relative. */
	e.kubeconfig = put("e2", arena_printf(&A, "%s"
		"      apiVersion: client.authentication.k8s.io/v1beta1\n"
		"      command: cred-helper\n", EXEC_HEAD));
	c = load_ok(NULL, &e);
	cr_assert_str_eq(c.exec->command, "cred-helper");
	cr_assert_eq(c.exec->interactive, KUBE_EXEC_IF_AVAILABLE, "v1beta1 defaults to IfAvailable");

	e.kubeconfig = put("e3", arena_printf(&A, "%s"
		"      apiVersion: client.authentication.k8s.io/v1\n"
		"      command: cred\n", EXEC_HEAD));
	load_err(NULL, &e, "interactiveMode must be specified for user \"u\"");

	e.kubeconfig = put("e4", arena_printf(&A, "%s"
		"      apiVersion: client.authentication.k8s.io/v1\n"
		"      command: cred\n"
		"      interactiveMode: Sometimes\n", EXEC_HEAD));
	const struct diag *d = load_err(NULL, &e, "invalid interactiveMode");
	cr_assert_str_eq(d->path, "users[0].user.exec.interactiveMode");

	e.kubeconfig = put("e5", arena_printf(&A, "%s"
		"      apiVersion: client.authentication.k8s.io/v1alpha1\n"
		"      command: cred\n", EXEC_HEAD));
	load_err(NULL, &e, "invalid apiVersion");

	e.kubeconfig = put("e6", arena_printf(&A, "%s"
		"      apiVersion: client.authentication.k8s.io/v1\n"
		"      interactiveMode: Never\n", EXEC_HEAD));
	load_err(NULL, &e, "command must be specified");
}

static struct kube_env in_cluster_env(void)
{
	struct kube_env e = env_none();
	e.sa_dir = arena_printf(&A, "%s/sa", dir);
	put("sa/token", "sa-token\n");
	put("sa/ca.crt", "CA");
	put("sa/namespace", "pod-ns\n");
	e.service_host = "10.96.0.1";
	e.service_port = "443";
	return e;
}

Test(kubeconfig, in_cluster)
{
	struct kube_env e = in_cluster_env();
	struct kube_config c = load_ok(NULL, &e);
	cr_assert(c.in_cluster);
	cr_assert_str_eq(c.server, "https://10.96.0.1:443");
	cr_assert_str_eq(c.token_file, arena_printf(&A, "%s/sa/token", dir));
	cr_assert_str_eq(c.ca_file, arena_printf(&A, "%s/sa/ca.crt", dir));
	cr_assert_str_eq(c.namespace, "pod-ns");
	cr_assert(strstr(c.ca_origin, "service account CA"));

	e.service_host = "fd00::1";
	c = load_ok(NULL, &e);
	cr_assert_str_eq(c.server, "https://[fd00::1]:443");

	/* POD_NAMESPACE (downward API) comes before the file; -n before both. */
	e.pod_namespace = "from-env";
	c = load_ok(NULL, &e);
	cr_assert_str_eq(c.namespace, "from-env");
	struct kube_flags f = { .namespace = "flag" };
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.namespace, "flag");

	/* --token and --certificate-authority still apply in a pod. */
	f = (struct kube_flags){ .token = "t2", .certificate_authority = "/x/ca.pem" };
	e.pod_namespace = NULL;
	struct kube_config c2;
	cr_assert_eq(kube_config_load(&A, &f, &e, &c2, &D), -1, "the CA file does not exist");
	f.certificate_authority = NULL;
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.token, "t2");
	cr_assert_null(c.token_file);
}

Test(kubeconfig, in_cluster_needs_env_and_token)
{
	struct kube_env e = in_cluster_env();
	e.service_port = NULL;
	load_err(NULL, &e, "no configuration has been provided");
	e = in_cluster_env();
	unlink(arena_printf(&A, "%s/sa/token", dir));
	load_err(NULL, &e, "no configuration has been provided");
}

Test(kubeconfig, kubeconfig_beats_in_cluster_and_empty_namespace_file)
{
	struct kube_env e = in_cluster_env();
	e.kubeconfig = put("config", BASIC);
	put("certs/ca.crt", "x");
	struct kube_config c = load_ok(NULL, &e);
	cr_assert(!c.in_cluster);
	cr_assert_str_eq(c.server, "https://10.0.0.1:6443");
	cr_assert_str_eq(c.namespace, "team-a");

	/* A kubeconfig with no current context falls back to the pod. */
	e.kubeconfig = put("empty", "apiVersion: v1\nkind: Config\n");
	put("sa/namespace", "  \n");
	c = load_ok(NULL, &e);
	cr_assert(c.in_cluster);
	cr_assert_str_eq(c.namespace, "default");
}

Test(kubeconfig, scheme_is_added_like_client_go)
{
	struct kube_env e = env_none();
	e.kubeconfig = put("c", "current-context: x\n"
				"clusters:\n- name: c\n  cluster: {server: 'h:8080'}\n"
				"- name: t\n  cluster: {server: 'h:6443', insecure-skip-tls-verify: true}\n"
				"contexts:\n- name: x\n  context: {cluster: c}\n");
	struct kube_config c = load_ok(NULL, &e);
	cr_assert_str_eq(c.server, "http://h:8080");
	struct kube_flags f = { .cluster = "t" };
	c = load_ok(&f, &e);
	cr_assert_str_eq(c.server, "https://h:6443");
}

/* Go's url.URL.Redacted(): the password goes, the user name stays. */
Test(kubeconfig, server_password_is_redacted_like_kubectl)
{
	cr_assert_str_eq(kube_url_redacted(&A, "https://u:p@h:6443/x"), "https://u:xxxxx@h:6443/x");
	cr_assert_str_eq(kube_url_redacted(&A, "https://:p@h"), "https://:xxxxx@h");
	cr_assert_str_eq(kube_url_redacted(&A, "https://a:b@c@h"), "https://a:xxxxx@h");
	cr_assert_str_eq(kube_url_redacted(&A, "https://u@h"), "https://u@h");
	cr_assert_str_eq(kube_url_redacted(&A, "https://h:1/p:q@r"), "https://h:1/p:q@r");
	cr_assert_str_eq(kube_url_redacted(&A, "h:8080"), "h:8080");
	struct kube_env e = env_none();
	e.kubeconfig = put("c", "current-context: x\n"
				"clusters:\n- name: c\n  cluster: {server: 'https://me:s3cret@h:6443/'}\n"
				"contexts:\n- name: x\n  context: {cluster: c}\n");
	struct kube_config c = load_ok(NULL, &e);
	cr_assert_str_eq(c.server, "https://me:s3cret@h:6443", "requests still carry the credentials");
	cr_assert_str_eq(c.server_shown, "https://me:xxxxx@h:6443");
}

/* server + "/api/v1/..." would put the path after the query string. */
Test(kubeconfig, server_with_a_query_string_or_fragment_is_refused)
{
	struct kube_env e = env_none();
	e.kubeconfig = put("c", "current-context: x\n"
				"clusters:\n- name: c\n  cluster: {server: 'https://u:pw@h:6443/k8s?x=1'}\n"
				"contexts:\n- name: x\n  context: {cluster: c}\n");
	const struct diag *d = load_err(NULL, &e, "has a query string");
	cr_assert(strstr(d->msg, "\"https://u:xxxxx@h:6443/k8s?x=1\" (cluster \"c\")"), "%s", d->msg);
	cr_assert_null(strstr(d->msg, "pw"), "%s", d->msg);
	D.n = 0;
	struct kube_flags f = { .server = "https://h#top" };
	d = load_err(&f, &e, "has a fragment: remove \"#top\"");
	cr_assert(strstr(d->msg, "(--server)"), "%s", d->msg);
}

static int on_flag(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	cr_assert(kube_flag_is(o));
	return kube_flags_set(ctx, o, value, err, errlen);
}

Test(kubeconfig, option_group_parses_kubectl_flags)
{
	const struct opt *const tables[] = { kube_flag_opts, NULL };
	char *argv[] = { "-n", "ns1", "--context=ctx", "-s", "https://s", "--insecure-skip-tls-verify",
			 "--request-timeout", "2m", "--as-group", "g1", "--as-group=g2", "--token", "t" };
	int argc = sizeof(argv) / sizeof(argv[0]);
	struct kube_flags f = { 0 };
	char *pos[16], err[256] = "";
	struct opt_args args = { pos, 0, NULL, 0 };
	cr_assert_eq(opts_parse(tables, argc, argv, on_flag, &f, false, &args, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(f.namespace, "ns1");
	cr_assert_str_eq(f.context, "ctx");
	cr_assert_str_eq(f.server, "https://s");
	cr_assert(f.insecure_skip_tls_verify);
	cr_assert_eq(f.request_timeout_ms, 120000);
	cr_assert_eq(f.nas_groups, 2);
	cr_assert_str_eq(f.as_groups[1], "g2");
	cr_assert_str_eq(f.token, "t");

	char *bad[] = { "--request-timeout=soon" };
	cr_assert_eq(opts_parse(tables, 1, bad, on_flag, &f, false, &args, err, sizeof(err)), -1);
	cr_assert(strstr(err, "Timeout must be a single integer in seconds"), "%s", err);

	struct buf help = BUF_INIT;
	opts_help(&help, tables);
	cr_assert(strstr(help.data, "-n, --namespace=NAMESPACE"));
	cr_assert(strstr(help.data, "If present, the namespace scope for this CLI request"));
	cr_assert(strstr(help.data, "A value of zero means don't timeout requests."));
	buf_release(&help);
}

Test(kubeconfig, request_timeout_values)
{
	long long ms;
	cr_assert(kube_parse_timeout("0", &ms) && ms == 0);
	cr_assert(kube_parse_timeout("5", &ms) && ms == 5000, "bare integers are seconds");
	cr_assert(kube_parse_timeout("1s", &ms) && ms == 1000);
	cr_assert(kube_parse_timeout("1m30s", &ms) && ms == 90000);
	cr_assert(kube_parse_timeout("250ms", &ms) && ms == 250);
	cr_assert(!kube_parse_timeout("", &ms));
	cr_assert(!kube_parse_timeout("-1", &ms));
	cr_assert(!kube_parse_timeout("1x", &ms));

	struct kube_env e = env_none();
	e.kubeconfig = put("config", BASIC);
	put("certs/ca.crt", "x");
	struct kube_flags f = { .request_timeout = "3s", .request_timeout_ms = 3000 };
	struct kube_config c = load_ok(&f, &e);
	cr_assert_eq(c.timeout_ms, 3000);
}

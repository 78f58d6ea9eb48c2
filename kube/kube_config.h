/*
 * kube_config.h -- which API server to talk to and how to prove who we are,
 * resolved exactly the way kubectl resolves it.
 *
 * Order (client-go's loading rules):
 *  1. Kubeconfig files: --kubeconfig (must exist), else every file listed in
 *     $KUBECONFIG (':'-separated; empty and missing entries skipped), else
 *     ~/.kube/config.  Files are merged: the first file to set a value or a
 *     map key wins and entries are never merged field by field (a user
 *     `red` from the second file is ignored whole when the first has one);
 *     current-context comes from the first file that sets it.  Relative paths
 *     inside a file (certificate-authority, client-certificate, client-key,
 *     tokenFile, an exec command containing '/') are relative to that file.
 *  2. The context (--context, else current-context) names a cluster and a
 *     user; --cluster and --user replace them.  The other flags override
 *     single fields; --certificate-authority or --insecure-skip-tls-verify
 *     replace the whole CA setting, --server clears the file's
 *     tls-server-name unless --tls-server-name is given too.
 *  3. When no kubeconfig yields a server, the in-cluster service account is
 *     used if KUBERNETES_SERVICE_HOST/PORT are set and its token exists.
 *  4. Namespace: --namespace, else the context's, else (in a pod)
 *     $POD_NAMESPACE or the service account's namespace file, else "default".
 *
 * The flags are one option group, kube_flag_opts[], that commands add to
 * their own tables; their handler passes options with kube_flag_is() to
 * kube_flags_set().  The environment comes in through struct kube_env so
 * tests never need setenv().
 *
 * Ownership: struct kube_config and everything it points to lives in the
 * arena given to kube_config_load(); flag strings are borrowed from argv.
 * Problems are diagnostics with the kubeconfig file, line and field.
 */
#ifndef FEAST_KUBE_CONFIG_H
#define FEAST_KUBE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "opts.h"

struct arena;

/* ---- flags ---- */

enum {
	KUBE_OPT_FIRST = 3000,
	KUBE_OPT_KUBECONFIG = KUBE_OPT_FIRST,
	KUBE_OPT_CONTEXT,
	KUBE_OPT_CLUSTER,
	KUBE_OPT_USER,
	KUBE_OPT_NAMESPACE,
	KUBE_OPT_SERVER,
	KUBE_OPT_TOKEN,
	KUBE_OPT_CA,
	KUBE_OPT_CLIENT_CERT,
	KUBE_OPT_CLIENT_KEY,
	KUBE_OPT_INSECURE,
	KUBE_OPT_TLS_SERVER_NAME,
	KUBE_OPT_REQUEST_TIMEOUT,
	KUBE_OPT_AS,
	KUBE_OPT_AS_GROUP,
	KUBE_OPT_AS_UID,
	KUBE_OPT_LAST = KUBE_OPT_AS_UID,
};

#define KUBE_MAX_AS_GROUPS 32

/* Values of the connection flags; NULL when not given. */
struct kube_flags {
	const char *kubeconfig, *context, *cluster, *user, *namespace;
	const char *server, *token, *certificate_authority, *client_certificate, *client_key;
	const char *tls_server_name;
	const char *request_timeout;     /* as given; checked by kube_flags_set */
	long long request_timeout_ms;    /* parsed; 0 = none */
	bool insecure_skip_tls_verify;
	const char *as, *as_uid;
	const char *as_groups[KUBE_MAX_AS_GROUPS];
	size_t nas_groups;
};

/* The option group: --kubeconfig --context --cluster --user -n/--namespace
 * -s/--server --token --certificate-authority --client-certificate
 * --client-key --insecure-skip-tls-verify --tls-server-name
 * --request-timeout --as --as-group --as-uid, with kubectl's help text. */
extern const struct opt kube_flag_opts[];

bool kube_flag_is(const struct opt *o);
/* Store one flag; usage errors (a bad --request-timeout) fill err, return -1. */
int kube_flags_set(struct kube_flags *f, const struct opt *o, const char *value, char *err,
		   size_t errlen);

/* ---- environment ---- */

struct kube_env {
	const char *kubeconfig;        /* $KUBECONFIG */
	const char *home;              /* $HOME */
	const char *service_host;      /* $KUBERNETES_SERVICE_HOST */
	const char *service_port;      /* $KUBERNETES_SERVICE_PORT */
	const char *pod_namespace;     /* $POD_NAMESPACE */
	const char *sa_dir;            /* service account directory */
};

#define KUBE_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* From the process environment.  $FEAST_SERVICEACCOUNT_DIR replaces
 * KUBE_SA_DIR (for tests: nothing else uses it). */
void kube_env_from_process(struct kube_env *e);

/* ---- the resolved configuration ---- */

struct kube_blob {
	const unsigned char *data; /* NUL-terminated for convenience */
	size_t len;
};

enum kube_exec_interactive { KUBE_EXEC_NEVER, KUBE_EXEC_IF_AVAILABLE, KUBE_EXEC_ALWAYS };

/* A client.authentication.k8s.io exec credential plugin (users[].user.exec). */
struct kube_exec_config {
	const char *api_version;        /* client.authentication.k8s.io/v1 or v1beta1 */
	const char *command;            /* resolved against the kubeconfig's folder if it has a '/' */
	const char *const *args;
	size_t nargs;
	const char *const *env;         /* "NAME=VALUE", added to our environment */
	size_t nenv;
	const char *install_hint;       /* may be NULL */
	bool provide_cluster_info;
	enum kube_exec_interactive interactive;
};

struct kube_config {
	const char *server;             /* scheme://host[:port][/prefix], no trailing '/' */
	const char *server_shown;       /* server for messages: a password in it as xxxxx */
	const char *tls_server_name;    /* NULL: the server's host */
	bool insecure;                  /* insecure-skip-tls-verify (only when asked) */
	const char *ca_file;            /* at most one of ca_file and ca_data */
	struct kube_blob ca_data;
	const char *cert_file, *key_file;
	struct kube_blob cert_data, key_data;
	const char *token;              /* static bearer token */
	const char *token_file;         /* re-read every minute and after a 401 */
	const char *username, *password;/* basic auth */
	const char *as_user, *as_uid;   /* impersonation */
	const char *const *as_groups;
	size_t nas_groups;
	const struct kube_exec_config *exec;
	const char *proxy_url;
	const char *namespace;          /* never NULL after kube_config_load */
	bool namespace_explicit;        /* from --namespace */
	long long timeout_ms;           /* --request-timeout; 0 = none */
	bool in_cluster;
	/* Names for messages: where the pieces came from. */
	const char *context_name, *cluster_name, *user_name;
	const char *ca_origin;          /* "certificate-authority /x (cluster \"c\" in /k)" */
	const char *auth_origin;        /* "user \"u\" in /k", "--token", "service account token" */
};

/* Resolve the configuration.  `env` may be NULL (the process environment).
 * Returns 0, or -1 after adding errors to d; warnings (an insecure cluster)
 * may be added either way. */
int kube_config_load(struct arena *a, const struct kube_flags *f, const struct kube_env *env,
		     struct kube_config *out, struct diags *d);

/* The files that would be merged, in order (for messages and tests). */
size_t kube_config_files(struct arena *a, const struct kube_flags *f, const struct kube_env *env,
			 const char ***files);

/* What authenticates us, for messages: "token", "client certificate",
 * "exec plugin", "basic", "none". */
const char *kube_config_auth_kind(const struct kube_config *c);

#endif

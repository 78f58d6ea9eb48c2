/* kube_flags.c -- kubectl's connection flags as one option group, and the environment. */
#include "kube_config.h"
#include "kube_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Help texts are kubectl's (cli-runtime genericclioptions), word for word. */
const struct opt kube_flag_opts[] = {
	{ "as", 0, OPT_VALUE, KUBE_OPT_AS, "USER", NULL, NULL,
	  "Username to impersonate for the operation. User could be a regular user or a service "
	  "account in a namespace.", 0 },
	{ "as-group", 0, OPT_VALUE, KUBE_OPT_AS_GROUP, "GROUP", NULL, NULL,
	  "Group to impersonate for the operation, this flag can be repeated to specify multiple "
	  "groups.", OPT_REPEAT },
	{ "as-uid", 0, OPT_VALUE, KUBE_OPT_AS_UID, "UID", NULL, NULL,
	  "UID to impersonate for the operation.", 0 },
	{ "certificate-authority", 0, OPT_VALUE, KUBE_OPT_CA, "FILE", NULL, NULL,
	  "Path to a cert file for the certificate authority", OPT_FILE },
	{ "client-certificate", 0, OPT_VALUE, KUBE_OPT_CLIENT_CERT, "FILE", NULL, NULL,
	  "Path to a client certificate file for TLS", OPT_FILE },
	{ "client-key", 0, OPT_VALUE, KUBE_OPT_CLIENT_KEY, "FILE", NULL, NULL,
	  "Path to a client key file for TLS", OPT_FILE },
	{ "cluster", 0, OPT_VALUE, KUBE_OPT_CLUSTER, "NAME", NULL, NULL,
	  "The name of the kubeconfig cluster to use", 0 },
	{ "context", 0, OPT_VALUE, KUBE_OPT_CONTEXT, "NAME", NULL, NULL,
	  "The name of the kubeconfig context to use", 0 },
	{ "insecure-skip-tls-verify", 0, OPT_BOOL, KUBE_OPT_INSECURE, NULL, NULL, NULL,
	  "If true, the server's certificate will not be checked for validity. This will make "
	  "your HTTPS connections insecure", 0 },
	{ "kubeconfig", 0, OPT_VALUE, KUBE_OPT_KUBECONFIG, "FILE", NULL, NULL,
	  "Path to the kubeconfig file to use for CLI requests.", OPT_FILE },
	{ "namespace", 'n', OPT_VALUE, KUBE_OPT_NAMESPACE, "NAMESPACE", NULL, NULL,
	  "If present, the namespace scope for this CLI request", 0 },
	{ "request-timeout", 0, OPT_VALUE, KUBE_OPT_REQUEST_TIMEOUT, "DURATION", NULL, "0",
	  "The length of time to wait before giving up on a single server request. Non-zero "
	  "values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero "
	  "means don't timeout requests.", 0 },
	{ "server", 's', OPT_VALUE, KUBE_OPT_SERVER, "URL", NULL, NULL,
	  "The address and port of the Kubernetes API server", 0 },
	{ "tls-server-name", 0, OPT_VALUE, KUBE_OPT_TLS_SERVER_NAME, "NAME", NULL, NULL,
	  "Server name to use for server certificate validation. If it is not provided, the "
	  "hostname used to contact the server is used", 0 },
	{ "token", 0, OPT_VALUE, KUBE_OPT_TOKEN, "TOKEN", NULL, NULL,
	  "Bearer token for authentication to the API server", 0 },
	{ "user", 0, OPT_VALUE, KUBE_OPT_USER, "NAME", NULL, NULL,
	  "The name of the kubeconfig user to use", 0 },
	OPT_END,
};

bool kube_flag_is(const struct opt *o)
{
	return opt_in(kube_flag_opts, o);
}

static int set_timeout(struct kube_flags *f, const char *value, char *err, size_t errlen)
{
	long long ms;
	if (!kube_parse_timeout(value, &ms)) {
		snprintf(err, errlen,
			 "invalid argument \"%s\" for \"--request-timeout\" flag: Timeout must be a "
			 "single integer in seconds, or an integer followed by a corresponding time "
			 "unit (e.g. 1s | 2m | 3h)", value);
		return -1;
	}
	f->request_timeout = value;
	f->request_timeout_ms = ms;
	return 0;
}

int kube_flags_set(struct kube_flags *f, const struct opt *o, const char *value, char *err,
		   size_t errlen)
{
	switch (o->id) {
	case KUBE_OPT_KUBECONFIG: f->kubeconfig = value; break;
	case KUBE_OPT_CONTEXT: f->context = value; break;
	case KUBE_OPT_CLUSTER: f->cluster = value; break;
	case KUBE_OPT_USER: f->user = value; break;
	case KUBE_OPT_NAMESPACE: f->namespace = value; break;
	case KUBE_OPT_SERVER: f->server = value; break;
	case KUBE_OPT_TOKEN: f->token = value; break;
	case KUBE_OPT_CA: f->certificate_authority = value; break;
	case KUBE_OPT_CLIENT_CERT: f->client_certificate = value; break;
	case KUBE_OPT_CLIENT_KEY: f->client_key = value; break;
	case KUBE_OPT_TLS_SERVER_NAME: f->tls_server_name = value; break;
	case KUBE_OPT_AS: f->as = value; break;
	case KUBE_OPT_AS_UID: f->as_uid = value; break;
	case KUBE_OPT_INSECURE:
		f->insecure_skip_tls_verify = !value || strcmp(value, "false") != 0;
		break;
	case KUBE_OPT_REQUEST_TIMEOUT:
		return set_timeout(f, value, err, errlen);
	case KUBE_OPT_AS_GROUP:
		if (f->nas_groups == KUBE_MAX_AS_GROUPS) {
			snprintf(err, errlen, "too many --as-group flags (at most %d)", KUBE_MAX_AS_GROUPS);
			return -1;
		}
		f->as_groups[f->nas_groups++] = value;
		break;
	default:
		snprintf(err, errlen, "internal error: option id %d is not a connection flag", o->id);
		return -1;
	}
	return 0;
}

static const char *env_or_null(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

void kube_env_from_process(struct kube_env *e)
{
	e->kubeconfig = env_or_null("KUBECONFIG");
	e->home = env_or_null("HOME");
	e->service_host = env_or_null("KUBERNETES_SERVICE_HOST");
	e->service_port = env_or_null("KUBERNETES_SERVICE_PORT");
	e->pod_namespace = env_or_null("POD_NAMESPACE");
	e->sa_dir = env_or_null("FEAST_SERVICEACCOUNT_DIR");
	if (!e->sa_dir)
		e->sa_dir = KUBE_SA_DIR;
}

/*
 * kube_exec.h -- client-go credential plugins: run the command a kubeconfig
 * user's `exec` section names and read the ExecCredential it prints.
 *
 * The plugin gets our environment plus its configured `env`, its `args`,
 * and KUBERNETES_EXEC_INFO (an ExecCredential whose spec says whether it
 * may talk to the user and, with provideClusterInfo, which cluster this is
 * for).  interactiveMode decides stdin: Never -> /dev/null; IfAvailable ->
 * our stdin when it is a terminal; Always -> our stdin, and an error when it
 * is not a terminal.  stderr is passed through so a plugin can prompt.
 * stdout must be a client.authentication.k8s.io ExecCredential of the
 * configured version carrying a token and/or a client certificate and key.
 *
 * Caching (until expirationTimestamp, again after a 401) is the client's
 * business (kube_client.c); this module only runs the plugin.
 *
 * Ownership: the credential's strings are malloc'd and owned by the struct;
 * kube_exec_cred_clear() frees them.  Errors are diagnostics naming the
 * plugin.
 */
#ifndef FEAST_KUBE_EXEC_H
#define FEAST_KUBE_EXEC_H

#include <stddef.h>

#include "diag.h"
#include "kube_config.h"

struct buf;

struct kube_exec_cred {
	char *token;                  /* NULL when the plugin gave none */
	unsigned char *cert, *key;    /* PEM, NUL-terminated; both or neither */
	size_t cert_len, key_len;
	long long expiry_ms;          /* wall clock, ms since the epoch; 0 = no expiry */
};

#define KUBE_EXEC_MAX_OUTPUT (1u << 20)

/* Run the plugin `x`.  `cluster` (may be NULL) is described to the plugin
 * when x->provide_cluster_info is set.  `stdin_fd` is the terminal to use in
 * interactive mode (normally 0).  Returns 0 and fills *out, or -1 with a
 * diagnostic. */
int kube_exec_run(const struct kube_exec_config *x, const struct kube_config *cluster, int stdin_fd,
		  struct kube_exec_cred *out, struct diags *d);

/* The decoding half of kube_exec_run(): a plugin's stdout (JSON or YAML)
 * to a credential, with the same checks and messages.  Separate so that the
 * fuzz target (tests/fuzz/fuzz_exec.c) reaches it without running a process. */
int kube_exec_decode(const struct kube_exec_config *x, const struct buf *stdout_text, struct kube_exec_cred *out,
		     struct diags *d);

void kube_exec_cred_clear(struct kube_exec_cred *c);

#endif

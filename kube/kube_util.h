/*
 * kube_util.h -- small helpers the Kubernetes client modules share: clocks,
 * base64 (the kubeconfig's `-data` fields, ExecCredential cluster info),
 * RFC 3339 timestamps (expirationTimestamp, Lease MicroTime), URL escaping
 * for paths and query strings, URLs with their passwords hidden, and an
 * object's status condition of one type.
 *
 * Ownership: results go to the arena or buffer the caller passes; nothing
 * here keeps state.  All functions are safe on untrusted input.
 */
#ifndef FEAST_KUBE_UTIL_H
#define FEAST_KUBE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct arena;
struct buf;
struct node;

/* Milliseconds on the monotonic clock (for deadlines and timeouts). */
long long kube_now_ms(void);
/* Milliseconds since the epoch on the wall clock (for expiry timestamps). */
long long kube_wall_ms(void);

/* Decode standard base64 (with padding; CR and LF are skipped, as Go's
 * decoder does).  Returns false on any other character or bad padding.
 * The result is NUL-terminated (not counted in *len). */
bool kube_base64_decode(struct arena *a, const char *s, size_t n, unsigned char **out, size_t *len);
void kube_base64_encode(struct buf *out, const unsigned char *p, size_t n);

/* Parse an RFC 3339 timestamp ("2026-11-26T10:53:47.123456Z", "...+02:00")
 * into milliseconds since the epoch. */
bool kube_parse_time(const char *s, long long *ms);
/* Parse an HTTP Date header value ("Sun, 06 Nov 1994 08:49:37 GMT", leading blanks
 * and a trailing CRLF allowed) into milliseconds since the epoch. */
bool kube_parse_http_date(const char *s, long long *ms);
/* Format milliseconds since the epoch as RFC 3339 with microseconds, UTC
 * (the Kubernetes MicroTime layout). */
void kube_format_microtime(struct buf *out, long long ms);

/* Append s to out, %-escaping everything outside RFC 3986's unreserved set
 * (so it is safe both as a path segment and as a query value). */
void kube_url_escape(struct buf *out, const char *s);
/* `url` with the password of its user information replaced by "xxxxx", as Go's
 * url.URL.Redacted() and so kubectl show it ("https://u:xxxxx@host"); a user
 * name alone stays.  Returns `url` itself when there is nothing to hide. */
const char *kube_url_redacted(struct arena *a, const char *url);

/* Append "key=value" to a query string, with '&' when it is not empty. */
void kube_query_add(struct buf *q, const char *key, const char *value);

/* Parse --request-timeout the way kubectl does: a bare integer is seconds,
 * otherwise a duration with units (1s, 2m, 3h, 500ms, 1h30m); 0 is none. */
bool kube_parse_timeout(const char *s, long long *ms);

/* The entry of obj's status.conditions with that type (a Pod's "Ready", a Deployment's
 * "Progressing"), or NULL; kube_condition_status() is its status, "Unknown" when it has
 * none, NULL when there is no such condition. */
const struct node *kube_condition(const struct node *obj, const char *type);
const char *kube_condition_status(const struct node *obj, const char *type);

#endif

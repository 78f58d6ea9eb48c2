/*
 * k8sval.h -- Kubernetes name rules and ObjectMeta checks, worded as the API
 * server words them.
 *
 * The name checkers return NULL when `s` is valid for its kind, or the API
 * server's explanation ("must be no more than 63 characters", "a lowercase
 * RFC 1123 subdomain must consist of ...").  The text is static.
 *
 * objmeta_check() checks a `metadata` map the way the API server decodes and
 * validates ObjectMeta: known fields only, string names, a DNS-1123
 * subdomain name (required when `require_name`), a DNS-1123 label
 * namespace, labels and annotations as string maps with valid keys and label
 * values.  `path` is the field path of the metadata node, `at` the position
 * to report when a field is missing.  It returns the number of errors added.
 */
#ifndef FEAST_K8SVAL_H
#define FEAST_K8SVAL_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct diags;
struct node;
struct pos;

#define DNS1123_LABEL_MAX 63
#define DNS1123_SUBDOMAIN_MAX 253
#define DNS1035_LABEL_MAX 63
#define LABEL_VALUE_MAX 63

const char *dns1123_label_error(const char *s);
const char *dns1123_subdomain_error(const char *s);
const char *dns1035_label_error(const char *s);
const char *label_value_error(const char *s);
const char *qualified_name_error(const char *s);

size_t objmeta_check(const struct node *meta, const char *path, const struct pos *at, bool require_name,
		     struct diags *d);

/* The error for a scalar of the wrong JSON type, as the API server writes
 * it ("Invalid value: \"boolean\": spec.x in body must be of type string:
 * \"boolean\""), plus a hint to quote a plain YAML word read as a bool,
 * number or null when a string was wanted.  `want` is the expected type
 * list ("string", "integer,string"). */
void type_error(struct diags *d, const struct pos *pos, const char *path, const struct node *n, const char *want,
		bool string_ok);

/* A value as the API server shows it in messages: strings quoted (long
 * ones cut at 200 bytes with "..."), numbers and booleans as written,
 * maps and lists by type name ("object", "array"), appended to out. */
void value_repr(struct buf *out, const struct node *n);
void quote_str(struct buf *out, const char *s);

#endif

/*
 * schema.h -- CRD structural schemas as data, and one checker driven by them.
 *
 * A CRD's `openAPIV3Schema` becomes a graph of struct sch nodes.  The CRDs
 * under data/crds/ are compiled into C tables at build time (tools/crdgen.c,
 * output $(O)/gen/crds.c: no parsing at run time, descriptions dropped);
 * crd_build() makes the same graph from a CRD document at run time, for
 * tests and for CRDs that are not embedded.
 *
 * schema_check() checks one object (a whole document: apiVersion, kind,
 * metadata, spec) against a CRD version the way the API server does on
 * create with strict field validation: types (int-or-string, nullable,
 * int32/int64 ranges), required, enum, bounds, lengths, item counts,
 * patterns (RE2, see regex.h), unknown fields (except under
 * x-kubernetes-preserve-unknown-fields), list-type set/map uniqueness,
 * embedded resources and ObjectMeta.  Nulls in object fields are pruned as
 * the API server prunes them (they count as absent).  `status` is skipped
 * when the version has a status subresource (the API server drops it on
 * create).  Messages follow the API server's wording after the field path
 * (`spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to
 * 1`).
 *
 * x-kubernetes-validations (CEL) rules are not interpreted here: for every
 * rule on a schema node the checker calls the caller's hook with the
 * instance (`self`), so the rule table (cel.h) stays separate and every
 * instance of a repeated schema path is covered.
 *
 * Memory: embedded tables are static; crd_build() allocates in an arena;
 * diagnostics go to the caller's struct diags.  Nothing else outlives a call.
 */
#ifndef FEAST_SCHEMA_H
#define FEAST_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct diags;
struct node;
struct pos;

/* Types a node admits (bits); 0 means any. */
enum {
	SCH_T_OBJECT = 1 << 0,
	SCH_T_ARRAY = 1 << 1,
	SCH_T_STRING = 1 << 2,
	SCH_T_INTEGER = 1 << 3,
	SCH_T_NUMBER = 1 << 4,
	SCH_T_BOOLEAN = 1 << 5,
};

enum {
	SCH_F_NULLABLE = 1 << 0,
	SCH_F_PRESERVE_UNKNOWN = 1 << 1,
	SCH_F_EMBEDDED = 1 << 2,       /* x-kubernetes-embedded-resource */
	SCH_F_INT_OR_STRING = 1 << 3,
	SCH_F_HAS_DEFAULT = 1 << 4,    /* never missing once its parent exists */
	SCH_F_ADDL_ANY = 1 << 5,       /* additionalProperties: true */
	SCH_F_HAS_MIN = 1 << 6,
	SCH_F_HAS_MAX = 1 << 7,
	SCH_F_EXCL_MIN = 1 << 8,
	SCH_F_EXCL_MAX = 1 << 9,
};

enum sch_format { SCH_FMT_NONE, SCH_FMT_INT32, SCH_FMT_INT64, SCH_FMT_DATE_TIME, SCH_FMT_OTHER };
enum sch_list { SCH_LIST_NONE, SCH_LIST_ATOMIC, SCH_LIST_SET, SCH_LIST_MAP };

/* An enum value: its JSON type (SCH_T_*; 0 for null) and text. */
struct sch_enum {
	const char *text;
	unsigned type;
};

/* One x-kubernetes-validations entry, verbatim. */
struct sch_rule {
	const char *rule;
	const char *message;   /* may be NULL when the CRD gives none */
};

struct sch_prop;

struct sch {
	unsigned types, flags;
	enum sch_format format;
	enum sch_list list_type;
	double minimum, maximum;
	int64_t min_length, max_length, min_items, max_items, min_props, max_props; /* -1: none */
	const char *pattern;
	const struct sch_prop *props;   /* sorted by name */
	size_t nprops;
	const char *const *required;
	size_t nrequired;
	const struct sch_enum *enums;
	size_t nenums;
	const struct sch *items;
	const struct sch *addl;          /* additionalProperties schema, or NULL */
	const char *const *map_keys;     /* x-kubernetes-list-map-keys */
	size_t nmap_keys;
	const struct sch_rule *rules;
	size_t nrules;
};

struct sch_prop {
	const char *name;
	const struct sch *s;
};

struct crd_version {
	const char *name;
	bool served, deprecated, status_subresource;
	const char *deprecation_warning; /* NULL: the API server's default text */
	const struct sch *schema;
	/* The scale subresource's specReplicasPath without its leading dot
	 * ("spec.replicas"), NULL without one: the API server holds that field to a
	 * non-negative int32 whatever the schema says. */
	const char *spec_replicas_path;
};

struct crd_def {
	const char *name;    /* plural.group */
	const char *group, *kind;
	const struct crd_version *versions;
	size_t nversions;
};

/* The CRDs compiled in from data/crds/ (generated), NULL-terminated. */
extern const struct crd_def *const crd_embedded[];

/* Find an embedded CRD by group and kind; NULL if none. */
const struct crd_def *crd_find(const char *group, const char *kind);
const struct crd_version *crd_version(const struct crd_def *crd, const char *version);
/* Split "group/version" ("v1" has the empty group); false if malformed. */
bool api_version_split(const char *api_version, char *group, size_t gcap, const char **version);

/* Build a CRD from its document tree (arena-allocated).  NULL with errors in
 * d if it is not a CRD or uses schema features the checker cannot honour. */
const struct crd_def *crd_build(struct arena *a, const struct node *crd, struct diags *d);

/* A property of an object schema, or NULL. */
const struct sch *sch_prop(const struct sch *s, const char *name);
/* The schema at a dotted path of property names ("spec.services"), or NULL. */
const struct sch *sch_at(const struct sch *root, const char *path);

/* The JSON type of a parsed value (SCH_T_*; 0 for null), as the schema's `type` names it. */
unsigned sch_json_type(const struct node *n);

/* Called for each CEL rule of a schema node with its instance `self`, the
 * field path of self and the position to report at.  The hook adds its own
 * diagnostics. */
struct schema_hooks {
	void (*rule)(void *ctx, const struct sch_rule *r, const struct node *self, const char *path,
		     const struct pos *pos, struct diags *d);
	void *ctx;
};

/* Errors per object before the checker stops adding them (one more error
 * then says how many were left out). */
#define SCHEMA_MAX_ERRORS 200

/* Check `obj` against version `v`; returns the number of errors added.
 * `hooks` may be NULL (CEL rules are then not checked). */
size_t schema_check(const struct crd_version *v, const struct node *obj, const struct schema_hooks *hooks,
		    struct diags *d);

#endif

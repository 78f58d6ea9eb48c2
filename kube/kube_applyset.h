/*
 * kube_applyset.h -- kubectl's ApplySet convention (KEP-3659) as data: the parent's id,
 * the labels and annotations that tie a set together, and the sorted comma lists of
 * group-kinds and namespaces its annotations hold.
 *
 * A parent object (here a Secret or a ConfigMap) carries APPLYSET_ID_LABEL =
 * applyset_id(); every member carries APPLYSET_PART_OF_LABEL with the same value; the
 * parent's annotations name the tool (APPLYSET_TOOLING_ANN, "<tool>/<version>"), the kinds
 * (APPLYSET_GKS_ANN: "Deployment.apps,Service") and the namespaces besides its own
 * (APPLYSET_NS_ANN) a prune must list.  Nothing here talks to a server.
 *
 * Ownership: every string returned lives in the arena passed; lists grow in it too.
 */
#ifndef FEAST_KUBE_APPLYSET_H
#define FEAST_KUBE_APPLYSET_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

#define APPLYSET_ID_LABEL "applyset.kubernetes.io/id"
#define APPLYSET_PART_OF_LABEL "applyset.kubernetes.io/part-of"
#define APPLYSET_TOOLING_ANN "applyset.kubernetes.io/tooling"
#define APPLYSET_GKS_ANN "applyset.kubernetes.io/contains-group-kinds"
#define APPLYSET_NS_ANN "applyset.kubernetes.io/additional-namespaces"

/* The parent: kubectl's built-in parent kinds, both core/v1. */
struct applyset_ref {
	const char *kind;    /* "Secret" or "ConfigMap" */
	const char *plural;  /* "secrets" or "configmaps" */
	const char *name;
};

/* --applyset's value as kubectl reads it, [RESOURCE][.GROUP]/NAME, where a bare NAME is a
 * Secret.  Only Secrets and ConfigMaps may be parents.  Returns 0, or -1 with a message. */
int applyset_parse_ref(struct arena *a, const char *s, struct applyset_ref *out, char *err, size_t errlen);

/* "applyset-" + base64url without padding of sha256("<name>.<namespace>.<kind>.<group>") + "-v1". */
char *applyset_id(struct arena *a, const char *name, const char *ns, const char *kind, const char *group);

/* SHA-256 of n bytes. */
void applyset_sha256(const void *p, size_t n, unsigned char out[32]);

/* A group-kind as the annotation writes it: "Kind" in the core group, else "Kind.group". */
char *applyset_gk(struct arena *a, const char *kind, const char *group);
/* The reverse: *kind and *group (the part after the first dot, "" when none). */
void applyset_gk_split(struct arena *a, const char *gk, const char **kind, const char **group);

/* "kubectl/v1.27" -> "kubectl": the tool, whatever its version. */
char *applyset_tooling_name(struct arena *a, const char *tooling);

/* A sorted set of strings, as the annotations hold them. */
struct applyset_list {
	const char **v;
	size_t n, cap;
};
/* Add `item` unless empty or present. */
void applyset_list_add(struct arena *a, struct applyset_list *l, const char *item);
/* Add every element of a comma-separated annotation value (NULL: none). */
void applyset_list_add_csv(struct arena *a, struct applyset_list *l, const char *csv);
bool applyset_list_has(const struct applyset_list *l, const char *item);
/* The comma-joined value without `skip` (may be NULL): "" for an empty list. */
char *applyset_list_join(struct arena *a, const struct applyset_list *l, const char *skip);

#endif

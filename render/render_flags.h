/*
 * render_flags.h -- the render flags, one table and one setter for every command that
 * renders: render, apply and diff parse them from argv, and `scale NAME` reads the ones
 * apply stored (render_kube_minor() for --kube-version) before it re-renders.
 *
 * A command adds render_flag_opts[] to its option groups, passes the options for which
 * render_flag_is() holds to render_flag_set(), checks the combination once with
 * render_flags_check(), and copies the result into its struct render_opts with
 * render_flags_to_opts() (which leaves the namespace alone: that is -n, the command's).
 * Strings point into argv; struct render_flags owns nothing.
 */
#ifndef FEAST_RENDER_FLAGS_H
#define FEAST_RENDER_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

#include "opts.h"
#include "render.h"

struct render_flags {
	const char *image;          /* NULL: the default image */
	enum render_target target;
	bool keda_adopt_hpa;
	enum render_sidecar sidecar;
	const char *sidecar_image;  /* NULL: the default */
	enum render_readiness readiness;
	int kube_minor;             /* 0: the default */
	int prestop_seconds;        /* 0: the default, < 0: none */
	bool no_flux_warnings;
	bool prometheus_operator;
	bool openshift;
	const char *namespace_registry;  /* NULL: none */
	int materialize_shards;     /* 0: none */
	char pod_flag[32];          /* the first flag given that shapes the standalone pod, or "" */
};

/* --image --target --keda-adopt-hpa --sidecar --sidecar-image --readiness --kube-version
 * --prestop-seconds --no-flux-warnings --prometheus-operator --openshift --configs-registry
 * --materialize-shards */
extern const struct opt render_flag_opts[];
bool render_flag_is(const struct opt *o);
/* Store one flag; a bad value fills err and returns -1 (a usage error). */
int render_flag_set(struct render_flags *f, const struct opt *o, const char *value, char *err, size_t errlen);
/* The usage problem of the combination (a pod flag with --target operator) in buf, or NULL. */
const char *render_flags_check(const struct render_flags *f, char *buf, size_t n);
void render_flags_to_opts(const struct render_flags *f, struct render_opts *opts);
/* "1.29", "v1.30", "1.31.2" -> 29, 30, 31; -1 for anything else ("1. 29", "1.29x"). */
int render_kube_minor(const char *s);

#endif

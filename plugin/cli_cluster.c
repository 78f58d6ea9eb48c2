/* cli_cluster.c -- argv and -f inputs to a cluster command's session, and its end. */
#include "cli_cluster.h"
#include "check.h"
#include "docshape.h"

#include <stdlib.h>
#include <string.h>

int rec_load(struct rec_session *s, const struct file_args *files, struct doclist *docs)
{
	struct inputs in;
	memset(&in, 0, sizeof(in));
	load_inputs(&s->a, files, &in, &s->d);
	if (!s->d.errors && !in.docs.n && s->no_objects)
		diag_error(&s->d, NULL, "", "%s", s->no_objects);
	if (!s->d.errors)
		check_documents(&s->a, &in.docs, &s->d);
	*docs = in.docs;
	return s->d.errors ? -1 : 0;
}

/* Routes the flags every cluster command shares before the command's own handler. */
struct rec_wrap {
	struct rec_session *s;
	struct render_flags *ro; /* NULL: the command takes no render flags */
	opt_handler fn;
	void *ctx;
};

static int route(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct rec_wrap *w = ctx;
	if (kube_flag_is(o))
		return kube_flags_set(&w->s->kf, o, value, err, errlen);
	if (w->ro && render_flag_is(o))
		return render_flag_set(w->ro, o, value, err, errlen);
	return w->fn(w->ctx, o, value, err, errlen);
}

int rec_parse_inputs(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
		     struct rec_session *s, struct file_args *files, struct render_flags *ro)
{
	rec_init(s);
	struct rec_wrap w = { s, ro, fn, ctx };
	int rc = command_parse_files(cmd, argc, argv, route, &w, files);
	char msg[128];
	const char *ns = s->kf.namespace;
	if (rc == CMD_RUN && ns && *ns && docshape_namespace_error(ns))
		rc = usage_error(cmd, "invalid argument \"%s\" for \"-n, --namespace\" flag: %s", ns,
				 docshape_namespace_error(ns));
	if (rc == CMD_RUN && ro && render_flags_check(ro, msg, sizeof(msg)))
		rc = usage_error(cmd, "%s", msg);
	return rc;
}

int rec_parse(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
	      struct rec_session *s, struct opt_args *args)
{
	rec_init(s);
	struct rec_wrap w = { s, NULL, fn, ctx };
	int rc = command_parse(cmd, argc, argv, route, &w, false, args);
	return rc < 0 ? EXIT_USAGE : rc > 0 ? EXIT_OK : CMD_RUN;
}

int rec_prepare(struct rec_session *s, const struct file_args *files, const struct render_flags *ro,
		struct rec_set *set)
{
	struct doclist docs;
	if (rec_load(s, files, &docs) < 0)
		return REC_BAD_INPUT;
	if (rec_config(s) < 0)
		return REC_BAD_CLUSTER;
	if (rec_render(s, &docs, ro, true, set) < 0)
		return REC_BAD_INPUT;
	/* The input's warnings come before anything the cluster answers. */
	rec_print(s);
	if (rec_connect(s) < 0 || rec_resolve(s, set) < 0)
		return REC_BAD_CLUSTER;
	return 0;
}

int rec_concurrency_set(struct rec_session *s, const char *value, char *err, size_t errlen)
{
	char *end = NULL;
	unsigned long n = strtoul(value, &end, 10);
	if (!*value || *end || n < 1 || n > 256 || *value == '-')
		return snprintf(err, errlen, "invalid argument \"%s\" for \"--concurrency\" flag: want a count from 1 "
				"to 256", value), -1;
	s->concurrency = (unsigned)n;
	return 0;
}

int rec_dry_set(const char *value, enum rec_dry *dry, char *err, size_t errlen)
{
	int mode = dry_run_mode(value, err, errlen);
	*dry = mode == DRY_RUN_SERVER ? REC_DRY_SERVER : mode == DRY_RUN_CLIENT ? REC_DRY_CLIENT : REC_DRY_NONE;
	return mode < 0 ? -1 : 0;
}

int rec_finish(struct rec_session *s, int rc)
{
	rec_print(s);
	rec_free(s);
	return rc;
}

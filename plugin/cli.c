/* cli.c -- kubectl-feast's shared argument helpers: -f and -R, --dry-run, input loading. */
#include "cli.h"
#include "buf.h"
#include "diag.h"
#include "unlist.h"

#include <string.h>

struct files_wrap {
	opt_handler fn;
	void *ctx;
	struct file_args *files;
};

static int files_or_forward(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct files_wrap *w = ctx;
	if (o->id == OPT_ID_FILENAME)
		return file_args_add(w->files, value, err, errlen);
	if (o->id == OPT_ID_RECURSIVE) {
		w->files->recursive = !value || strcmp(value, "true") == 0;
		return 0;
	}
	return w->fn(w->ctx, o, value, err, errlen);
}

int command_parse_files(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
			struct file_args *files)
{
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	struct files_wrap w = { fn, ctx, files };
	int rc = command_parse(cmd, argc, argv, files_or_forward, &w, false, &args);
	if (rc)
		return rc < 0 ? EXIT_USAGE : EXIT_OK;
	if (args.n)
		return usage_error(cmd, "unexpected argument \"%s\"", args.v[0]);
	if (!files->n)
		return usage_error(cmd, "must specify -f FILENAME (a file, a directory, or - for standard input)");
	return CMD_RUN;
}

int dry_run_mode(const char *value, char *err, size_t errlen)
{
	if (!value) {
		snprintf(err, errlen, "--dry-run flag without a value was specified. A value must be set: "
			 "\"none\", \"server\", or \"client\".");
		return -1;
	}
	/* The option table's choices have already refused anything else. */
	return !strcmp(value, "server") ? DRY_RUN_SERVER : !strcmp(value, "client") ? DRY_RUN_CLIENT : DRY_RUN_NONE;
}

int wait_flag_set(const char *value, long long dflt, bool *wait, long long *ms, char *err, size_t errlen)
{
	*wait = true;
	*ms = dflt;
	if (value && !parse_duration_ms(value, ms))
		return snprintf(err, errlen, "invalid --wait timeout \"%s\" (use a duration such as 90s or 5m)", value), -1;
	return 0;
}

int file_args_add(struct file_args *f, const char *value, char *err, size_t errlen)
{
	if (f->n == (int)(sizeof(f->v) / sizeof(f->v[0]))) {
		snprintf(err, errlen, "too many -f arguments (at most %zu)", sizeof(f->v) / sizeof(f->v[0]));
		return -1;
	}
	f->v[f->n++] = value;
	return 0;
}

int load_inputs(struct arena *a, const struct file_args *f, struct inputs *in, struct diags *d)
{
	struct input_opts io = { f->recursive, NULL, false };
	int rc = 0;
	for (int i = 0; i < f->n; i++)
		if (inputs_add(a, in, f->v[i], &io, d) < 0)
			rc = -1;
	/* kubectl works on a List's items (what `kubectl get -o yaml` writes), so every stage does too. */
	if (doclist_unwrap(a, &in->docs, d))
		rc = -1;
	return rc;
}

int load_raw_inputs(struct arena *a, const struct file_args *f, struct inputs *in, struct diags *walk)
{
	struct input_opts io = { f->recursive, NULL, true };
	int rc = 0;
	for (int i = 0; i < f->n; i++)
		if (inputs_add(a, in, f->v[i], &io, walk) < 0)
			rc = -1;
	return rc;
}

int parse_raw_inputs(struct arena *a, struct inputs *in, const struct diags *walk, struct diags *d)
{
	int rc = inputs_parse(a, in, walk, NULL, d);
	if (doclist_unwrap(a, &in->docs, d))
		rc = -1;
	return rc;
}

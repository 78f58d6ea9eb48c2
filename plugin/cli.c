/* cli.c -- command table lookup, help text and -f input loading. */
#include "cli.h"
#include "buf.h"
#include "diag.h"
#include "unlist.h"

#include <stdarg.h>
#include <string.h>

#ifndef FEAST_VERSION
#define FEAST_VERSION "0.0.0-dev"
#endif

const char *feast_version(void)
{
	return FEAST_VERSION;
}

const struct opt help_opts[] = {
	{ "help", 'h', OPT_BOOL, OPT_ID_HELP, NULL, NULL, NULL, "Show help for this command.", 0 },
	OPT_END,
};

const struct command *command_find(const char *name)
{
	for (const struct command *const *c = commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

void command_help(const struct command *cmd, FILE *f)
{
	struct buf b = BUF_INIT;
	opts_command_help(&b, cmd->summary, cmd->description, cmd->opts, cmd->usage);
	const char *ex = command_examples(cmd->name);
	if (ex)
		buf_addf(&b, "\nExamples:\n%s\n", ex);
	fputs(b.data, f);
	buf_release(&b);
}

int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	opts_usage_verror("kubectl feast", cmd ? cmd->name : NULL, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

struct files_wrap {
	opt_handler fn;
	void *ctx;
	struct file_args *files; /* NULL: the command has no FILE_ARGS_OPTS */
};

static int files_or_forward(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct files_wrap *w = ctx;
	if (w->files && o->id == OPT_ID_FILENAME)
		return file_args_add(w->files, value, err, errlen);
	if (w->files && o->id == OPT_ID_RECURSIVE) {
		w->files->recursive = !value || strcmp(value, "true") == 0;
		return 0;
	}
	return w->fn(w->ctx, o, value, err, errlen);
}

static int parse(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
		 struct file_args *files, bool stop_at_dashdash, struct opt_args *args)
{
	char err[512] = "";
	bool help;
	struct files_wrap w = { fn, ctx, files };
	if (opts_parse_help(cmd->opts, OPT_ID_HELP, &help, argc, argv, files_or_forward, &w, stop_at_dashdash,
			    args, err, sizeof(err)) < 0) {
		usage_error(cmd, "%s", err);
		return -1;
	}
	if (help) {
		command_help(cmd, stdout);
		return 1;
	}
	return 0;
}

int command_parse(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
		  bool stop_at_dashdash, struct opt_args *args)
{
	return parse(cmd, argc, argv, fn, ctx, NULL, stop_at_dashdash, args);
}

int command_parse_files(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
			struct file_args *files)
{
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = parse(cmd, argc, argv, fn, ctx, files, false, &args);
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

int check_options_main(void)
{
	int rc = EXIT_OK;
	char err[256];
	for (const struct command *const *c = commands; *c; c++)
		if ((*c)->opts && opts_check((*c)->opts, err, sizeof(err)) < 0) {
			fprintf(stderr, "error: kubectl feast %s: %s\n", (*c)->name, err);
			rc = EXIT_INVALID;
		}
	if (rc == EXIT_OK)
		printf("kubectl-feast: the options of every command have their own ids and names\n");
	return rc;
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
	struct input_opts io = { f->recursive, NULL };
	int rc = 0;
	for (int i = 0; i < f->n; i++)
		if (inputs_add(a, in, f->v[i], &io, d) < 0)
			rc = -1;
	/* kubectl works on a List's items (what `kubectl get -o yaml` writes), so every stage does too. */
	if (doclist_unwrap(a, &in->docs, d))
		rc = -1;
	return rc;
}

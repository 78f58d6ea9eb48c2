/* command.c -- dispatch, help, usage errors, man page and option self-check of a program's commands. */
#include "command.h"
#include "buf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifndef FEAST_VERSION
#define FEAST_VERSION "0.0.0-dev"
#endif

const struct program *command_program;

const struct opt help_opts[] = {
	{ "help", 'h', OPT_BOOL, OPT_ID_HELP, NULL, NULL, NULL, "Show help for this command.", 0 },
	OPT_END,
};

const char *feast_version(void)
{
	return FEAST_VERSION;
}

const struct command *command_find(const char *name)
{
	for (const struct command *const *c = command_program->commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

void command_help(const struct command *cmd, FILE *f)
{
	const struct program *p = command_program;
	struct buf b = BUF_INIT, ex = BUF_INIT;
	opts_command_help(&b, cmd->summary, cmd->description, cmd->opts, cmd->usage);
	if (p->examples)
		p->examples(cmd, &ex);
	if (ex.len)
		buf_addf(&b, "\nExamples:\n%s\n", ex.data);
	if (p->exit_codes_in_help)
		buf_addf(&b, "\n%s\n", p->exit_codes);
	fputs(b.data, f);
	buf_release(&ex);
	buf_release(&b);
}

int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	opts_usage_verror(command_program->invocation, cmd ? cmd->name : NULL, fmt, ap);
	va_end(ap);
	return command_program->usage_exit;
}

struct common_wrap {
	opt_handler fn;
	void *ctx;
};

static int common_or_forward(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct common_wrap *w = ctx;
	int rc = command_program->common_opt ? command_program->common_opt(o, value, err, errlen) : 1;
	return rc <= 0 ? rc : w->fn(w->ctx, o, value, err, errlen);
}

int command_parse(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
		  bool stop_at_dashdash, struct opt_args *args)
{
	char err[512] = "";
	bool help;
	struct common_wrap w = { fn, ctx };
	if (opts_parse_help(cmd->opts, OPT_ID_HELP, &help, argc, argv, common_or_forward, &w, stop_at_dashdash,
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

static void main_help(const struct program *p, FILE *f)
{
	fprintf(f, "%s: %s\n\nCommands:\n", p->invocation, p->blurb);
	for (const struct command *const *c = p->commands; *c; c++)
		fprintf(f, "  %-*s %s\n", p->name_width, (*c)->name, (*c)->summary);
	fprintf(f, "\n%s\n\nUsage:\n  %s COMMAND [options]\n\n"
		"Use \"%s COMMAND --help\" for more information about a command.\n",
		p->exit_codes, p->invocation, p->invocation);
}

/* As cobra words it, with the commands the user may have meant. */
static int unknown_command(const struct program *p, const char *name)
{
	size_t n = 0;
	while (p->commands[n])
		n++;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	char err[512];
	snprintf(err, sizeof(err), "unknown command \"%s\" for \"%s\"", name, p->invocation);
	if (names) {
		for (size_t i = 0; i < n; i++)
			names[i] = p->commands[i]->name;
		opts_suggest(err, sizeof(err), name, strlen(name), names, n, "");
		free(names);
	}
	return usage_error(NULL, "%s", err);
}

static int check_options(const struct program *p)
{
	int rc = 0;
	char err[256];
	for (const struct command *const *c = p->commands; *c; c++)
		if ((*c)->opts && opts_check((*c)->opts, err, sizeof(err)) < 0) {
			fprintf(stderr, "error: %s %s: %s\n", p->invocation, (*c)->name, err);
			rc = p->fail_exit;
		}
	if (rc == 0)
		printf("%s: the options of every command have their own ids and names\n", p->name);
	return rc;
}

/* `__man [DATE]`: the page from the command and option tables, each description
 * followed by its Examples as --help shows them when the program asks for it. */
static int man_main(const struct program *p, int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: %s __man [DATE]\n", p->name);
		return p->usage_exit;
	}
	size_t n = 0;
	while (p->commands[n])
		n++;
	struct man_command *cmds = calloc(n ? n : 1, sizeof(*cmds));
	struct buf *descs = calloc(n ? n : 1, sizeof(*descs));
	if (!cmds || !descs) {
		free(cmds);
		free(descs);
		return p->fail_exit;
	}
	for (size_t i = 0; i < n; i++) {
		const struct command *c = p->commands[i];
		struct buf ex = BUF_INIT;
		if (p->man_examples && p->examples)
			p->examples(c, &ex);
		descs[i] = (struct buf)BUF_INIT;
		buf_addf(&descs[i], "%s%s%s", c->description ? c->description : "", ex.len ? "\n\nExamples:\n" : "",
			 ex.len ? ex.data : "");
		buf_release(&ex);
		cmds[i] = (struct man_command){ c->name, c->summary, c->usage, descs[i].len ? descs[i].data : NULL,
						c->opts };
	}
	struct man_page page = *p->man;
	page.prog = p->name;
	page.invocation = p->invocation;
	page.version = feast_version();
	page.date = argc == 1 ? argv[0] : NULL;
	page.cmds = cmds;
	page.ncmds = n;
	page.exit_status = p->exit_codes;
	struct buf out = BUF_INIT;
	man_write(&out, &page);
	int rc = fwrite(out.data, 1, out.len, stdout) == out.len && fflush(stdout) == 0 ? 0 : p->fail_exit;
	buf_release(&out);
	for (size_t i = 0; i < n; i++)
		buf_release(&descs[i]);
	free(descs);
	free(cmds);
	return rc;
}

static const struct command *find_in(const struct command *const *v, const char *name)
{
	for (; v && *v; v++)
		if (!strcmp((*v)->name, name))
			return *v;
	return NULL;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "help");
}

int program_main(const struct program *p, int argc, char **argv)
{
	command_program = p;
	if (argc < 2) {
		main_help(p, stderr);
		return p->usage_exit;
	}
	const char *name = argv[1];
	if (p->implied && name[0] == '-' && !is_help(name) && strcmp(name, "--version"))
		return p->implied->run(p->implied, argc - 1, argv + 1);
	if (is_help(name)) {
		if (argc > 2 && !strcmp(name, "help")) {
			const struct command *c = command_find(argv[2]);
			if (!c)
				return unknown_command(p, argv[2]);
			command_help(c, stdout);
			return 0;
		}
		main_help(p, stdout);
		return 0;
	}
	if (!strcmp(name, "--version"))
		name = "version";
	/* Hidden entry points for the shell and the build, not commands of their own. */
	if (p->man && !strcmp(name, "__man"))
		return man_main(p, argc - 2, argv + 2);
	if (!strcmp(name, "__check-options"))
		return check_options(p);
	const struct command *cmd = command_find(name);
	if (!cmd)
		cmd = find_in(p->hidden, name);
	if (!cmd)
		return unknown_command(p, name);
	return cmd->run(cmd, argc - 2, argv + 2);
}

/*
 * command.h -- programs made of subcommands: the command table, dispatch,
 * help and usage errors from the option tables (opts.h), the man page and
 * the options' self-check, for kubectl-feast, feast-sidecar and feast-lock.
 *
 * A program is a struct program: its names, blurb, exit codes, command
 * table and the few things that differ (examples, an option every command
 * shares, hidden entry points, its man page).  main() hands it to
 * program_main(), which remembers it (command_program), answers help,
 * `__man [DATE]` and `__check-options`, and runs the command.  A command
 * parses with command_parse(), which handles -h/--help, and reports usage
 * errors with usage_error(); --help, the man page and completion all read
 * the same tables, so they cannot drift apart.
 *
 * Everything a program describes is static and borrowed; nothing here keeps
 * memory past the call that prints.
 */
#ifndef FEAST_COMMAND_H
#define FEAST_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "manpage.h"
#include "opts.h"

struct buf;

struct command {
	const char *name;
	const char *summary;
	const char *usage;
	const char *description;
	const struct opt *const *opts;   /* NULL-terminated: the command's own table, then shared ones */
	int (*run)(const struct command *cmd, int argc, char **argv);
};

struct program {
	const char *name;                /* the executable: "feast-sidecar" */
	const char *invocation;          /* as typed: "kubectl feast" for a kubectl plugin, else name */
	const char *blurb;               /* what it does, after "INVOCATION: " in the main help */
	const char *exit_codes;          /* "Exit codes: ...", no final newline */
	const struct command *const *commands;  /* NULL-terminated, in help order */
	const struct command *const *hidden;    /* dispatched by name but never listed; may be NULL */
	const struct command *implied;   /* run when the first argument is an option (not -h or --version) */
	int name_width;                  /* the command column of the main help */
	int usage_exit, fail_exit;
	bool exit_codes_in_help;         /* every command's --help ends with exit_codes */
	/* Append the Examples of cmd (without heading) to b; NULL when no command has any. */
	void (*examples)(const struct command *cmd, struct buf *b);
	/* An option of every command that the program handles itself (feast-sidecar's -v):
	 * 0 handled, -1 error in err, 1 not one of them.  May be NULL. */
	int (*common_opt)(const struct opt *o, const char *value, char *err, size_t errlen);
	/* The man page's own text: summary, description, extra sections, see_also; the rest of
	 * it (names, version, date, commands, exit codes) comes from here.  NULL: no `__man`. */
	const struct man_page *man;
	bool man_examples;               /* each command's man description ends with its Examples */
};

/* The program program_main() runs (set before any command runs). */
extern const struct program *command_program;

/* Dispatch argv[1]; returns the exit code. */
int program_main(const struct program *p, int argc, char **argv);

/* Shared option group: -h/--help, handled by command_parse(). */
enum { OPT_ID_HELP = 1000 };
extern const struct opt help_opts[];

const struct command *command_find(const char *name);
void command_help(const struct command *cmd, FILE *f);
/* Print "error: msg" and the see-help hint; returns the program's usage exit code. */
int usage_error(const struct command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse argv for cmd with handler fn; handles -h/--help and the program's common option.
 * Returns -1 (usage error printed), 1 (help printed, exit 0) or 0. */
int command_parse(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
		  bool stop_at_dashdash, struct opt_args *args);

/* The version both programs report. */
const char *feast_version(void);

#endif

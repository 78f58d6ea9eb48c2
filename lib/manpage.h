/*
 * manpage.h -- a roff man page (man(7) macros) from command and option tables.
 *
 * A command is described by name, summary, usage, description and a
 * NULL-terminated list of option groups (lib/opts.h); lib/command.c copies
 * each struct command into a struct man_command, its description followed by
 * its Examples where the program wants them, and calls man_write().  Every
 * non-hidden option of every group is listed.  A group that several commands
 * share (the same array, such as the help flag or the cluster connection
 * flags) is listed once, in a COMMON OPTIONS section titled by the commands
 * that take it, and each of those commands points there; so a new command or
 * flag shows up with no edit here.
 *
 * Output depends only on the arguments (no clock, no locale): the date in the
 * title line is given by the caller.  Nothing is kept; `out` is appended to.
 */
#ifndef FEAST_MANPAGE_H
#define FEAST_MANPAGE_H

#include <stddef.h>

#include "opts.h"

struct buf;

struct man_command {
	const char *name;
	const char *summary;
	const char *usage;
	const char *description;   /* may be NULL */
	const struct opt *const *opts;
};

/* An extra top-level section (ENVIRONMENT, FILES, ...): plain text, where a
 * blank line starts a paragraph and indented lines are kept as they are. */
struct man_section {
	const char *title;
	const char *text;
};

struct man_page {
	const char *prog;          /* file and title name: "kubectl-feast" */
	const char *invocation;    /* how it is typed: "kubectl feast" */
	const char *version;
	const char *date;          /* title line date, e.g. "2026-01-31"; NULL or "" for none */
	const char *summary;       /* the NAME line after the dash */
	const char *description;   /* DESCRIPTION text (same rules as man_section.text) */
	const struct man_command *cmds;
	size_t ncmds;
	const char *exit_status;   /* EXIT STATUS text, or NULL */
	const struct man_section *extra;  /* sections after EXIT STATUS */
	size_t nextra;
	const char *see_also;      /* e.g. "kubectl(1), feast-sidecar(1)" */
};

void man_write(struct buf *out, const struct man_page *p);

#endif

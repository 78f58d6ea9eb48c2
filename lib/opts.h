/*
 * opts.h -- one option table drives parsing, --help, man pages, completion.
 *
 * A command describes its options as an array of struct opt ending with
 * OPT_END.  opts_parse() walks argv with kubectl's (pflag's) conventions:
 * `--name=value`, `--name value`, `-n value`, `-nvalue`, boolean flags take
 * an optional `=true|false`, `--` ends the options, and options may follow
 * positional arguments.  Each option found is handed to the command's
 * callback with its value (NULL for a bare boolean or optional value);
 * positional arguments are collected in order.  Nothing is allocated that the
 * caller must free: values point into argv.
 *
 * Usage errors (unknown flag, missing value, bad enum value) fill `err` and
 * return -1; the command prints "error: <err>" and a usage hint and exits 2.
 * The command layer of every program (lib/command.h) is built on
 * opts_parse_help(), opts_command_help() and opts_usage_verror(), so help
 * pages and usage errors read the same in all of them.
 */
#ifndef FEAST_OPTS_H
#define FEAST_OPTS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf;

enum opt_arg {
	OPT_BOOL,       /* --flag or --flag=false */
	OPT_VALUE,      /* --flag VALUE */
	OPT_OPTIONAL,   /* --flag or --flag=VALUE (never takes the next word) */
};

#define OPT_REPEAT 0x1   /* may be given several times; help shows =[] */
#define OPT_HIDDEN 0x2   /* parsed but not listed in help */
#define OPT_FILE   0x4   /* value is a file name (completion) */

struct opt {
	const char *name;     /* long name without the dashes */
	char shortname;       /* 0 when there is none */
	enum opt_arg arg;
	int id;
	const char *argname;  /* shown in help: FILE, NAME, yaml|json */
	const char *choices;  /* "|"-separated allowed values, checked by the parser; or NULL */
	const char *dflt;     /* default shown in help, or NULL */
	const char *help;
	unsigned flags;
};

#define OPT_END { NULL, 0, OPT_BOOL, 0, NULL, NULL, NULL, NULL, 0 }

typedef int (*opt_handler)(void *ctx, const struct opt *o, const char *value, char *err,
			   size_t errlen);

struct opt_args {
	char **v;   /* positional arguments, in order; points into argv */
	int n;
	char **rest; /* words after `--` when the command keeps them apart */
	int nrest;
};

/* `tables` is a NULL-terminated list of option arrays (the command's own, then
 * shared groups such as the cluster connection flags).  When `stop_at_dashdash`
 * is set, words after `--` go to args->rest instead of args->v.
 * `args->v` must have room for argc entries. */
int opts_parse(const struct opt *const *tables, int argc, char **argv, opt_handler fn, void *ctx,
	       bool stop_at_dashdash, struct opt_args *args, char *err, size_t errlen);

const struct opt *opts_find_long(const struct opt *const *tables, const char *name, size_t len);
/* Is `o` a row of `table`?  Handlers dispatch on the group an option comes from, never on
 * an id range, so ids need only be unique within one table. */
bool opt_in(const struct opt *table, const struct opt *o);
/* Every option of one command (all of `tables`) must have its own id, long name and short
 * name; -1 naming the first two that share one.  Both programs run it over every command
 * (hidden `__check-options`). */
int opts_check(const struct opt *const *tables, char *err, size_t errlen);
const struct opt *opts_find_short(const struct opt *const *tables, char c);

/* Append a kubectl-style "Options:" listing of `tables` to `out`. */
void opts_help(struct buf *out, const struct opt *const *tables);

/* ---- the command layer's pieces (lib/command.h) ---- */

/* opts_parse() for a command: the option `help_id` is caught here (*help is set unless it
 * is given =false) and every other one goes to fn. */
int opts_parse_help(const struct opt *const *tables, int help_id, bool *help, int argc, char **argv,
		    opt_handler fn, void *ctx, bool stop_at_dashdash, struct opt_args *args, char *err,
		    size_t errlen);

/* A command's help page up to its usage line: summary, description (may be NULL), the
 * options, "Usage:" and `usage`; the program adds what follows. */
void opts_command_help(struct buf *out, const char *summary, const char *description,
		       const struct opt *const *tables, const char *usage);

/* "error: MSG" and "See 'PROG COMMAND --help' for usage." on stderr; without a command
 * (NULL), the program's own help. */
void opts_usage_verror(const char *prog, const char *command, const char *fmt, va_list ap);

/* Parse a kubectl duration ("30s", "2m", "1h30m", "500ms", plain "0") into
 * milliseconds; false on junk. */
bool parse_duration_ms(const char *s, long long *ms);
/* Parse a non-negative decimal integer that fits in an int; false on junk. */
bool parse_count(const char *s, int *out);
/* cobra's "Did you mean this?": append to err (a NUL-terminated message) the candidates
 * within OPTS_SUGGEST_DISTANCE edits of word[0..len) or that it prefixes, one per line
 * after a tab, each after `prefix` ("--" for flags, "" for commands); nothing when none is. */
#define OPTS_SUGGEST_DISTANCE 2
void opts_suggest(char *err, size_t errlen, const char *word, size_t len, const char *const *cands, size_t n,
		  const char *prefix);
/* Is `value` one of the "|"-separated `choices`? */
bool choice_ok(const char *choices, const char *value);

#endif

/*
 * cli.h -- what every kubectl-feast command shares: exit codes, the command
 * table, -f inputs, --dry-run, and the hidden completion entry point.
 *
 * A command is a struct command (lib/command.h): its name, one-line summary,
 * usage line, long description and NULL-terminated list of option groups
 * (its own table first, then shared groups).  main() hands the program
 * (plugin/main.c) to program_main(); the same tables produce `--help`, the
 * man page and shell completion, so they cannot drift apart.  Commands
 * return an exit code; only they and main() print errors or exit.
 */
#ifndef FEAST_CLI_H
#define FEAST_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "command.h"
#include "input.h"
#include "opts.h"

struct arena;
struct diags;

/* Exit codes, documented in --help and README. */
enum {
	EXIT_OK = 0,
	EXIT_INVALID = 1,   /* invalid spec, or refused by a rule */
	EXIT_USAGE = 2,
	EXIT_CLUSTER = 3,   /* cluster or API failure */
	EXIT_TIMEOUT = 4,   /* --wait timed out */
};

/* The program's listed commands (plugin/main.c), in help order. */
extern const struct command *const commands[];

/* The help page ends with the command's Examples (plugin/examples.c), which the man page
 * carries too; NULL for a command that has none (tests/scripts/cli_examples.sh refuses that). */
const char *command_examples(const char *name);

/* -f arguments as collected by a command. */
struct file_args {
	const char *v[256];
	int n;
	bool recursive;
};
int file_args_add(struct file_args *f, const char *value, char *err, size_t errlen);

/* -f and -R as render, validate, apply and diff take them: rows for the command's own
 * table (its help and man page list them among its own options), filled in by
 * command_parse_files(). */
enum { OPT_ID_FILENAME = 1001, OPT_ID_RECURSIVE };
#define FILE_ARGS_OPTS                                                                                   \
	{ "filename", 'f', OPT_VALUE, OPT_ID_FILENAME, "FILE", NULL, NULL,                               \
	  "A file, a directory of *.yaml/*.yml files, or - for standard input.", OPT_REPEAT | OPT_FILE }, \
	{ "recursive", 'R', OPT_BOOL, OPT_ID_RECURSIVE, NULL, NULL, "false",                             \
	  "Process the directories given with -f recursively.", 0 }

/* --dry-run as kubectl takes it (apply, scale): =none, =client or =server.  A bare
 * --dry-run is refused with kubectl's words, and so is `--dry-run client` (the value must
 * follow "=", as in kubectl, where the word after is an argument). */
enum dry_run { DRY_RUN_NONE, DRY_RUN_CLIENT, DRY_RUN_SERVER };
#define DRY_RUN_OPT(id, help) { "dry-run", 0, OPT_OPTIONAL, id, "MODE", "none|client|server", "none", help, 0 }
/* The mode of a --dry-run value (NULL when bare); -1 with kubectl's message in err. */
int dry_run_mode(const char *value, char *err, size_t errlen);

/* --wait[=TIMEOUT] (apply, delete, materialize): sets *wait, and *ms to the value, or to
 * `dflt` when bare; -1 with the message in err for a value that is not a duration. */
int wait_flag_set(const char *value, long long dflt, bool *wait, long long *ms, char *err, size_t errlen);

/* From the parse helpers below: no exit code yet, the command runs. */
enum { CMD_RUN = -1 };

/* command_parse() for a command with FILE_ARGS_OPTS: -f and -R go to *files, the rest to
 * fn; no positional argument and no missing -f either.  Returns CMD_RUN, or the exit code
 * (EXIT_OK after --help, EXIT_USAGE after the usage error it printed). */
int command_parse_files(const struct command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
			struct file_args *files);

/* Load every -f input, v1 List documents unwrapped into their items (lib/unlist.h);
 * diagnostics for unreadable or invalid input go to d. */
int load_inputs(struct arena *a, const struct file_args *f, struct inputs *in, struct diags *d);
/* load_inputs() in two steps: the streams read (walk's diagnostics to `walk`), then, when a
 * command needs the documents, parsed and unwrapped with every diagnostic into `d`, in
 * load_inputs()' order. */
int load_raw_inputs(struct arena *a, const struct file_args *f, struct inputs *in, struct diags *walk);
int parse_raw_inputs(struct arena *a, struct inputs *in, const struct diags *walk, struct diags *d);

/* Hidden entry point, outside commands[]: `kubectl-feast __complete WORDS...`
 * answers shell completion requests (cobra's protocol, as kubectl 1.26+ relays
 * them to kubectl_complete-feast) from commands[] and the option tables
 * (plugin/cmd_completion.c).  `__man [DATE]` and `__check-options` are every
 * program's (lib/command.h). */
int complete_main(int argc, char **argv);

#endif

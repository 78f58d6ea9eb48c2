/*
 * sccli.h -- feast-sidecar's commands: exit codes, the command table, and
 * help generated from the option tables (lib/opts.h).
 *
 * Both programs built from sidecar/ use it: bin/feast-sidecar (run, lock,
 * status, check, version) and the static lock client bin/feast-lock (lock,
 * status, check, version; FEAST_LOCK_ONLY).  Exit codes follow sysexits(3),
 * because `lock` returns its command's own status and must stay out of the
 * way of ordinary codes; only command code prints and picks them.
 */
#ifndef FEAST_SCCLI_H
#define FEAST_SCCLI_H

#include <stdbool.h>
#include <stdio.h>

#include "opts.h"

enum {
	SC_OK = 0,
	SC_FAIL = 1,          /* check: not live / not ready */
	SC_USAGE = 64,        /* EX_USAGE: bad flags or arguments */
	SC_UNAVAILABLE = 69,  /* EX_UNAVAILABLE: API server (or daemon) unreachable, or forbidden */
	SC_LOST = 70,         /* EX_SOFTWARE: the lock was lost while the command ran; it was killed */
	SC_TEMPFAIL = 75,     /* EX_TEMPFAIL: the lock could not be acquired in time */
	SC_CONFIG = 78,       /* EX_CONFIG: configuration or TLS error */
};

#define SC_EXIT_CODES_HELP                                                                             \
	"Exit codes: 0 ok (lock: the command's own status), 1 check failed, 64 usage,\n"               \
	"69 API server or daemon unreachable or forbidden, 70 lock lost (command killed),\n"           \
	"75 lock not acquired in time, 78 configuration or TLS error.\n"

struct sc_command {
	const char *name;
	const char *summary;
	const char *usage;
	const char *description;
	const struct opt *const *opts;
	int (*run)(const struct sc_command *cmd, int argc, char **argv);
};

extern const char *sc_prog; /* "feast-sidecar" or "feast-lock" */
extern const struct opt sc_help_opts[];
enum { SC_OPT_HELP = 900, SC_OPT_VERBOSE };

void sc_command_help(const struct sc_command *cmd, FILE *f);
int sc_usage_error(const struct sc_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* -1: usage error printed (exit 64); 1: help printed (exit 0); 0: go on.
 * -v/--v=N is handled here too (log verbosity). */
int sc_parse(const struct sc_command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
	     bool stop_at_dashdash, struct opt_args *args);
/* Dispatch argv[1] among cmds (NULL-terminated); prints the main help. */
int sc_main(const struct sc_command *const *cmds, const char *blurb, int argc, char **argv);

/* Seconds with an optional fraction ("2", "0.5") into milliseconds. */
bool sc_parse_seconds(const char *s, long long *ms);
/* A kubectl duration ("15s", "500ms", "1m") or plain seconds ("15"). */
bool sc_parse_duration(const char *s, long long *ms);

const char *sc_version(void);

/* `__check-options`: opts_check() over every command of cmds; each clash on stderr, exit 1. */
int sc_check_options(const struct sc_command *const *cmds);

/* `feast-sidecar __man [DATE]`: the man page from cmds' tables (sidecar/man.c). */
int sc_man(const struct sc_command *const *cmds, const char *blurb, int argc, char **argv);

#endif

/*
 * sccli.h -- what feast-sidecar's commands share: exit codes, the -v and
 * --help group, examples, and the argument helpers for durations.
 *
 * Both programs built from sidecar/ use it: bin/feast-sidecar (run, lock,
 * status, check, version) and the static lock client bin/feast-lock (lock,
 * status, check, version; sidecar/static/).  Commands, dispatch and help are
 * lib/command.h's; each program's struct program is in its main file.  Exit
 * codes follow sysexits(3), because `lock` returns its command's own status
 * and must stay out of the way of ordinary codes; only command code prints
 * and picks them.  Nothing here allocates.
 */
#ifndef FEAST_SCCLI_H
#define FEAST_SCCLI_H

#include <stdbool.h>

#include "command.h"
#include "opts.h"

struct buf;

enum {
	SC_OK = 0,
	SC_FAIL = 1,          /* check: not live / not ready */
	SC_USAGE = 64,        /* EX_USAGE: bad flags or arguments */
	SC_UNAVAILABLE = 69,  /* EX_UNAVAILABLE: API server (or daemon) unreachable, or forbidden */
	SC_LOST = 70,         /* EX_SOFTWARE: the lock was lost while the command ran; it was killed */
	SC_TEMPFAIL = 75,     /* EX_TEMPFAIL: the lock could not be acquired in time */
	SC_CONFIG = 78,       /* EX_CONFIG: configuration or TLS error */
};

#define SC_EXIT_CODES                                                                                  \
	"Exit codes: 0 ok (lock: the command's own status), 1 check failed, 64 usage,\n"               \
	"69 API server or daemon unreachable or forbidden, 70 lock lost (command killed),\n"           \
	"75 lock not acquired in time, 78 configuration or TLS error."

/* -v/--v=N and -h/--help: the last group of every command. */
extern const struct opt sc_help_opts[];
enum { SC_OPT_VERBOSE = 900 };

/* struct program hooks: -v sets the log verbosity; the Examples name the running program. */
int sc_common_opt(const struct opt *o, const char *value, char *err, size_t errlen);
void sc_examples(const struct command *cmd, struct buf *b);

/* What feast-sidecar's and feast-lock's struct program share (designated initializers). */
#define SC_PROGRAM_COMMON                                                                                \
	.exit_codes = SC_EXIT_CODES, .name_width = 8, .usage_exit = SC_USAGE, .fail_exit = SC_FAIL,      \
	.exit_codes_in_help = true, .examples = sc_examples, .common_opt = sc_common_opt

/* Seconds with an optional fraction ("2", "0.5") into milliseconds. */
bool sc_parse_seconds(const char *s, long long *ms);
/* A kubectl duration ("15s", "500ms", "1m") or plain seconds ("15"). */
bool sc_parse_duration(const char *s, long long *ms);

#endif

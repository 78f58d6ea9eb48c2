/*
 * wrap.h -- run the guarded command the way a lock wrapper (and PID 1) must.
 *
 * The command runs in its own process group so that one kill reaches
 * everything it started.  The wrapper:
 *  - catches SIGTERM, SIGINT, SIGHUP, SIGQUIT and SIGCHLD with handlers that
 *    only write the signal number to a pipe (wrap_signals()), so the main
 *    loop polls them like any descriptor.  Real handlers, not SIG_DFL with a
 *    blocked mask, because PID 1 of a PID namespace never receives a signal
 *    it has no handler for; and exec resets handled signals in the child;
 *  - forwards SIGTERM/SIGINT/SIGHUP/SIGQUIT to the command's group;
 *  - is a child subreaper, so orphaned grandchildren come back to it, and
 *    reaps every child (wrap_reap()), as PID 1 must;
 *  - kills the group with SIGTERM then, kill-grace later, SIGKILL;
 *  - gives the command PR_SET_PDEATHSIG=SIGKILL: if the wrapper itself is
 *    SIGKILLed, its command dies with it instead of running unlocked;
 *  - hands the terminal to the command's group when run interactively.
 * The guarded interval ends when the whole group is gone (wrap_group_gone()),
 * not just the direct child: leftovers are killed before the lock is let go.
 *
 * Ownership: struct wrap is caller memory; wrap_start() copies nothing it
 * keeps.  Single-threaded use from the thread that installed the handlers.
 */
#ifndef FEAST_WRAP_H
#define FEAST_WRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct wrap {
	pid_t pid;          /* the command; also its process group id */
	int status;         /* wait status once exited */
	bool exited;
	bool killing;       /* SIGTERM sent; SIGKILL due at kill_at */
	bool killed;        /* SIGKILL sent */
	int64_t kill_at;
	int64_t grace_ms;
	bool tty;           /* we gave the terminal away and must take it back */
};

/* Install the handlers; returns the read end of the signal pipe (non-blocking). */
int wrap_signals(void);
/* Next signal number from the pipe, or 0 when none is pending. */
int wrap_next_signal(int fd);

/* Start argv[0] (searched in PATH) with `extra_env` ("NAME=value" strings,
 * NULL-terminated, may be NULL) added to the environment.  -1 with a
 * message in err when it could not be executed; *code is then 127 (not
 * found) or 126 (not executable). */
int wrap_start(struct wrap *w, char *const argv[], char *const extra_env[], int64_t grace_ms, char *err,
	       size_t errlen, int *code);
/* Send sig to the command's group. */
void wrap_forward(const struct wrap *w, int sig);
/* SIGTERM the group now, SIGKILL at now + grace (wrap_tick). */
void wrap_kill(struct wrap *w, int64_t now);
/* Escalate to SIGKILL when due; returns the next time it needs to run (INT64_MAX: never). */
int64_t wrap_tick(struct wrap *w, int64_t now);
/* Reap every exited child; true when the command itself has exited. */
bool wrap_reap(struct wrap *w);
/* No process of the command's group is left. */
bool wrap_group_gone(const struct wrap *w);
/* The command's exit code in shell convention (128 + signal when killed). */
int wrap_exit_code(const struct wrap *w);
/* Take the terminal back (if we gave it away). */
void wrap_restore_tty(struct wrap *w);

#endif

/* wrap.c -- the guarded command: own process group, signals forwarded, children reaped. */
#include "wrap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	ssize_t n = write(sig_pipe[1], &b, 1); /* a full pipe loses a duplicate: harmless */
	(void)n;
	errno = saved;
}

int wrap_signals(void)
{
	if (sig_pipe[0] >= 0)
		return sig_pipe[0];
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	/* Orphans of the command come to us, so that we can reap them and so
	 * that "the group is gone" means what it says.  (PID 1 is already.) */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	return sig_pipe[0];
}

int wrap_next_signal(int fd)
{
	unsigned char b;
	ssize_t n = read(fd, &b, 1);
	return n == 1 ? b : 0;
}

/* execvp's PATH search, done before fork: the child of a threaded process
 * may only call async-signal-safe functions, which execve is and a PATH
 * walk building strings is not. */
static int resolve(const char *name, char *out, size_t n)
{
	if (strchr(name, '/')) {
		snprintf(out, n, "%s", name);
		return access(out, F_OK) == 0 ? 0 : -1;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int found_noexec = 0;
	for (const char *p = path;;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		snprintf(out, n, "%.*s%s%s", (int)len, p, len ? "/" : "", name);
		struct stat st;
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			found_noexec = 1;
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	errno = found_noexec ? EACCES : ENOENT;
	return -1;
}

static char **build_env(char *const extra[])
{
	size_t n = 0, k = 0;
	while (environ && environ[n])
		n++;
	while (extra && extra[k])
		k++;
	char **env = calloc(n + k + 1, sizeof(*env));
	if (!env)
		return NULL;
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;
		for (size_t j = 0; j < k; j++) {
			size_t eq = strcspn(extra[j], "=");
			if (strncmp(environ[i], extra[j], eq + 1) == 0)
				replaced = true;
		}
		if (!replaced)
			env[out++] = environ[i];
	}
	for (size_t j = 0; j < k; j++)
		env[out++] = extra[j];
	return env;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child(const char *path, char *const argv[], char **env, int errfd, pid_t parent, bool tty)
{
	setpgid(0, 0);
	if (tty) {
		/* Take the terminal before exec (the parent does too: whoever is
		 * first wins the race with a command that reads at once). */
		sigset_t set, old;
		sigemptyset(&set);
		sigaddset(&set, SIGTTOU);
		sigprocmask(SIG_BLOCK, &set, &old);
		tcsetpgrp(0, getpid());
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent) /* the wrapper died before PDEATHSIG was armed */
		_exit(128 + SIGKILL);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	execve(path, argv, env);
	int e = errno;
	ssize_t n = write(errfd, &e, sizeof(e));
	(void)n;
	_exit(e == ENOENT ? 127 : 126);
}

int wrap_start(struct wrap *w, char *const argv[], char *const extra_env[], int64_t grace_ms, char *err,
	       size_t errlen, int *code)
{
	memset(w, 0, sizeof(*w));
	w->grace_ms = grace_ms;
	char path[PATH_MAX];
	if (resolve(argv[0], path, sizeof(path)) < 0) {
		*code = errno == ENOENT ? 127 : 126;
		snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
		return -1;
	}
	char **env = build_env(extra_env);
	int errpipe[2];
	if (!env || pipe2(errpipe, O_CLOEXEC) < 0) {
		free(env);
		*code = 126;
		snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
		return -1;
	}
	w->tty = isatty(0) && tcgetpgrp(0) == getpgrp();
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		child(path, argv, env, errpipe[1], parent, w->tty);
	int saved = errno;
	free(env);
	close(errpipe[1]);
	if (pid < 0) {
		close(errpipe[0]);
		*code = 126;
		snprintf(err, errlen, "fork: %s", strerror(saved));
		return -1;
	}
	setpgid(pid, pid); /* both sides, so no signal can reach the wrong group */
	if (w->tty)
		tcsetpgrp(0, pid);
	w->pid = pid;
	int e = 0;
	ssize_t n;
	do
		n = read(errpipe[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(errpipe[0]);
	if (n == (ssize_t)sizeof(e)) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		wrap_restore_tty(w);
		w->pid = 0;
		*code = e == ENOENT ? 127 : 126;
		snprintf(err, errlen, "%s: %s", argv[0], strerror(e));
		return -1;
	}
	return 0;
}

void wrap_forward(const struct wrap *w, int sig)
{
	if (w->pid > 0)
		kill(-w->pid, sig);
}

void wrap_kill(struct wrap *w, int64_t now)
{
	if (w->pid <= 0 || w->killing)
		return;
	w->killing = true;
	w->kill_at = now + w->grace_ms;
	kill(-w->pid, SIGTERM);
	kill(-w->pid, SIGCONT); /* a stopped process cannot act on SIGTERM */
	if (w->grace_ms <= 0) {
		kill(-w->pid, SIGKILL);
		w->killed = true;
	}
}

int64_t wrap_tick(struct wrap *w, int64_t now)
{
	if (!w->killing || w->killed)
		return INT64_MAX;
	if (now < w->kill_at)
		return w->kill_at;
	kill(-w->pid, SIGKILL);
	w->killed = true;
	return INT64_MAX;
}

bool wrap_reap(struct wrap *w)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p <= 0)
			break;
		if (p == w->pid && !w->exited) {
			w->exited = true;
			w->status = st;
		}
	}
	return w->exited;
}

bool wrap_group_gone(const struct wrap *w)
{
	if (w->pid <= 0)
		return true;
	return kill(-w->pid, 0) < 0 && errno == ESRCH;
}

int wrap_exit_code(const struct wrap *w)
{
	if (WIFEXITED(w->status))
		return WEXITSTATUS(w->status);
	if (WIFSIGNALED(w->status))
		return 128 + WTERMSIG(w->status);
	return 1;
}

void wrap_restore_tty(struct wrap *w)
{
	if (!w->tty)
		return;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTTOU); /* we are in the background now: tcsetpgrp would stop us */
	sigprocmask(SIG_BLOCK, &set, &old);
	tcsetpgrp(0, getpgrp());
	sigprocmask(SIG_SETMASK, &old, NULL);
	w->tty = false;
}

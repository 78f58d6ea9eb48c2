/* measure.c -- run a command many times; report median wall time and peak RSS. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: measure [-n RUNS] [-w WARMUP] [-i STDIN_FILE] -- CMD [ARGS...]
 * Prints one line: "median_ms min_ms max_ms maxrss_kib runs".  The child's
 * stdout goes to /dev/null; its peak RSS is taken from wait4(), which on
 * Linux also covers the descendants it waited for (kubectl's dispatcher).
 * A run that exits non-zero aborts the measurement: timing failures is
 * meaningless.
 */

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static int run_once(char **argv, const char *input, double *ms, long *rss_kib)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (input)
		posix_spawn_file_actions_addopen(&fa, 0, input, O_RDONLY, 0);
	pid_t pid;
	double start = now_ms();
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "measure: cannot run %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	*ms = now_ms() - start;
	*rss_kib = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "measure: %s failed (status %d)\n", argv[0], status);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int runs = 21, warmup = 2, opt;
	const char *input = NULL;
	while ((opt = getopt(argc, argv, "+n:w:i:")) != -1) {
		switch (opt) {
		case 'n': runs = atoi(optarg); break;
		case 'w': warmup = atoi(optarg); break;
		case 'i': input = optarg; break;
		default:
			fprintf(stderr, "usage: measure [-n RUNS] [-w WARMUP] [-i STDIN] -- CMD ARGS\n");
			return 2;
		}
	}
	if (optind >= argc || runs < 1) {
		fprintf(stderr, "usage: measure [-n RUNS] [-w WARMUP] [-i STDIN] -- CMD ARGS\n");
		return 2;
	}
	char **cmd = argv + optind;
	double *ms = calloc((size_t)runs, sizeof(double));
	long peak = 0, rss;
	for (int i = 0; i < warmup + runs; i++) {
		double t;
		if (run_once(cmd, input, &t, &rss) < 0)
			return 1;
		if (i >= warmup) {
			ms[i - warmup] = t;
			if (rss > peak)
				peak = rss;
		}
	}
	qsort(ms, (size_t)runs, sizeof(double), compare_doubles);
	printf("%.3f %.3f %.3f %ld %d\n", ms[runs / 2], ms[0], ms[runs - 1], peak, runs);
	free(ms);
	return 0;
}

/* sccli.c -- feast-sidecar's command dispatch, help text and argument helpers. */
#include "sccli.h"
#include "buf.h"
#include "slog.h"

#include <stdarg.h>
#include <string.h>

#ifndef FEAST_VERSION
#define FEAST_VERSION "0.0.0-dev"
#endif

const char *sc_prog = "feast-sidecar";

const struct opt sc_help_opts[] = {
	{ "v", 'v', OPT_VALUE, SC_OPT_VERBOSE, "LEVEL", NULL, "0", "Log verbosity (0: state changes and errors).", 0 },
	{ "help", 'h', OPT_BOOL, SC_OPT_HELP, NULL, NULL, NULL, "Show help for this command.", 0 },
	OPT_END,
};

const char *sc_version(void)
{
	return FEAST_VERSION;
}

/* The Examples of each command's help, one row each; `%s` is the program's name. */
static const struct {
	const char *command;
	const char *text;
} examples[] = {
	{ "run", "  # In the pod: the lock for FeatureStore driver-stats, readiness from the online server\n"
		 "  %s run --name driver-stats --health http://127.0.0.1:6566/health --readiness gate" },
	{ "lock", "  # Run feast apply while this pod holds the registry lock; wait up to 5 minutes\n"
		  "  %s lock -w 300 -- feast apply" },
	{ "status", "  # The lock's holder and generation, as JSON\n"
		    "  %s status" },
	{ "check", "  # An exec readiness probe\n"
		   "  %s check ready --timeout 2s" },
	{ "version", "  # The version\n"
		     "  %s version" },
};

void sc_command_help(const struct sc_command *cmd, FILE *f)
{
	struct buf b = BUF_INIT;
	opts_command_help(&b, cmd->summary, cmd->description, cmd->opts, cmd->usage);
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		if (!strcmp(examples[i].command, cmd->name)) {
			buf_adds(&b, "\nExamples:\n");
			buf_addf(&b, examples[i].text, sc_prog);
			buf_adds(&b, "\n");
		}
	buf_addf(&b, "\n%s", SC_EXIT_CODES_HELP);
	fputs(b.data, f);
	buf_release(&b);
}

int sc_usage_error(const struct sc_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	opts_usage_verror(sc_prog, cmd ? cmd->name : NULL, fmt, ap);
	va_end(ap);
	return SC_USAGE;
}

struct verbose_wrap {
	opt_handler fn;
	void *ctx;
};

/* -v/--v=N, the log verbosity, is every command's; the rest is the command's own. */
static int verbose_or_forward(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct verbose_wrap *w = ctx;
	if (opt_in(sc_help_opts, o) && o->id == SC_OPT_VERBOSE) {
		int v;
		if (!parse_count(value, &v)) {
			snprintf(err, errlen, "invalid argument \"%s\" for \"-v\" flag: not a number", value);
			return -1;
		}
		slog_verbosity = v;
		return 0;
	}
	return w->fn(w->ctx, o, value, err, errlen);
}

int sc_parse(const struct sc_command *cmd, int argc, char **argv, opt_handler fn, void *ctx,
	     bool stop_at_dashdash, struct opt_args *args)
{
	char err[512] = "";
	bool help;
	struct verbose_wrap w = { fn, ctx };
	if (opts_parse_help(cmd->opts, SC_OPT_HELP, &help, argc, argv, verbose_or_forward, &w, stop_at_dashdash,
			    args, err, sizeof(err)) < 0) {
		sc_usage_error(cmd, "%s", err);
		return -1;
	}
	if (help) {
		sc_command_help(cmd, stdout);
		return 1;
	}
	return 0;
}

int sc_check_options(const struct sc_command *const *cmds)
{
	int rc = SC_OK;
	char err[256];
	for (const struct sc_command *const *c = cmds; *c; c++)
		if ((*c)->opts && opts_check((*c)->opts, err, sizeof(err)) < 0) {
			fprintf(stderr, "error: %s %s: %s\n", sc_prog, (*c)->name, err);
			rc = SC_FAIL;
		}
	if (rc == SC_OK)
		printf("%s: the options of every command have their own ids and names\n", sc_prog);
	return rc;
}

static void main_help(const struct sc_command *const *cmds, const char *blurb, FILE *f)
{
	fprintf(f, "%s\n\nCommands:\n", blurb);
	for (const struct sc_command *const *c = cmds; *c; c++)
		fprintf(f, "  %-8s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\n%s\nUsage:\n  %s COMMAND [options]\n\nUse \"%s COMMAND --help\" for more information "
		   "about a command.\n",
		SC_EXIT_CODES_HELP, sc_prog, sc_prog);
}

int sc_main(const struct sc_command *const *cmds, const char *blurb, int argc, char **argv)
{
	if (argc < 2) {
		main_help(cmds, blurb, stderr);
		return SC_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		if (argc > 2 && !strcmp(name, "help")) {
			for (const struct sc_command *const *c = cmds; *c; c++)
				if (!strcmp((*c)->name, argv[2])) {
					sc_command_help(*c, stdout);
					return SC_OK;
				}
			return sc_usage_error(NULL, "unknown command \"%s\" for \"%s\"", argv[2], sc_prog);
		}
		main_help(cmds, blurb, stdout);
		return SC_OK;
	}
	if (!strcmp(name, "--version"))
		name = "version";
	for (const struct sc_command *const *c = cmds; *c; c++)
		if (!strcmp((*c)->name, name))
			return (*c)->run(*c, argc - 2, argv + 2);
	return sc_usage_error(NULL, "unknown command \"%s\" for \"%s\"", name, sc_prog);
}

bool sc_parse_seconds(const char *s, long long *ms)
{
	long long whole = 0, frac = 0, scale = 1000;
	const char *p = s;
	if (!*p || *p == '.')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 100000000LL)
			return false;
	}
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		for (; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	}
	if (*p)
		return false;
	*ms = whole * 1000 + frac;
	return true;
}

bool sc_parse_duration(const char *s, long long *ms)
{
	return sc_parse_seconds(s, ms) || parse_duration_ms(s, ms);
}

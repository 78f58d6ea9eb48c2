/* sccli.c -- feast-sidecar's -v, examples and duration arguments, for lib/command.h. */
#include "sccli.h"
#include "buf.h"
#include "slog.h"

#include <string.h>

const struct opt sc_help_opts[] = {
	{ "v", 'v', OPT_VALUE, SC_OPT_VERBOSE, "LEVEL", NULL, "0", "Log verbosity (0: state changes and errors).", 0 },
	{ "help", 'h', OPT_BOOL, OPT_ID_HELP, NULL, NULL, NULL, "Show help for this command.", 0 },
	OPT_END,
};

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

void sc_examples(const struct command *cmd, struct buf *b)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		if (!strcmp(examples[i].command, cmd->name))
			buf_addf(b, examples[i].text, command_program->name);
}

/* -v/--v=N, the log verbosity, is every command's; the rest is the command's own. */
int sc_common_opt(const struct opt *o, const char *value, char *err, size_t errlen)
{
	if (!opt_in(sc_help_opts, o) || o->id != SC_OPT_VERBOSE)
		return 1;
	int v;
	if (!parse_count(value, &v)) {
		snprintf(err, errlen, "invalid argument \"%s\" for \"-v\" flag: not a number", value);
		return -1;
	}
	slog_verbosity = v;
	return 0;
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

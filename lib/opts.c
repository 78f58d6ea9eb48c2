/* opts.c -- option-table parsing and help text, with kubectl's conventions. */
#include "opts.h"
#include "buf.h"

#include <stdio.h>
#include <string.h>

const struct opt *opts_find_long(const struct opt *const *tables, const char *name, size_t len)
{
	for (; *tables; tables++)
		for (const struct opt *o = *tables; o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				return o;
	return NULL;
}

const struct opt *opts_find_short(const struct opt *const *tables, char c)
{
	for (; *tables; tables++)
		for (const struct opt *o = *tables; o->name; o++)
			if (o->shortname && o->shortname == c)
				return o;
	return NULL;
}

bool opt_in(const struct opt *table, const struct opt *o)
{
	for (; table->name; table++)
		if (table == o)
			return true;
	return false;
}

/* What `a` and `b` share, or NULL. */
static const char *clash(const struct opt *a, const struct opt *b)
{
	if (a->id == b->id)
		return "id";
	if (!strcmp(a->name, b->name))
		return "long name";
	if (a->shortname && a->shortname == b->shortname)
		return "short name";
	return NULL;
}

int opts_check(const struct opt *const *tables, char *err, size_t errlen)
{
	for (const struct opt *const *t = tables; *t; t++)
		for (const struct opt *a = *t; a->name; a++)
			for (const struct opt *const *u = t; *u; u++)
				for (const struct opt *b = u == t ? a + 1 : *u; b->name; b++) {
					const char *what = clash(a, b);
					if (what) {
						snprintf(err, errlen, "--%s and --%s share an option %s (id %d, %d)",
							 a->name, b->name, what, a->id, b->id);
						return -1;
					}
				}
	return 0;
}

bool choice_ok(const char *choices, const char *value)
{
	size_t vlen = strlen(value);
	for (const char *p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == vlen && strncmp(p, value, len) == 0)
			return true;
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

static int deliver(const struct opt *o, const char *value, opt_handler fn, void *ctx, char *err,
		   size_t errlen)
{
	if (o->arg == OPT_BOOL && value && strcmp(value, "true") && strcmp(value, "false")) {
		snprintf(err, errlen, "invalid argument \"%s\" for \"--%s\" flag: must be true or false",
			 value, o->name);
		return -1;
	}
	if (o->choices && value && o->arg != OPT_BOOL && !choice_ok(o->choices, value)) {
		struct buf allowed = BUF_INIT;
		for (const char *p = o->choices; *p; p++)
			buf_adds(&allowed, *p == '|' ? ", " : (char[]){ *p, 0 });
		snprintf(err, errlen, "invalid argument \"%s\" for \"--%s\" flag: allowed values are %s",
			 value, o->name, allowed.data);
		buf_release(&allowed);
		return -1;
	}
	return fn(ctx, o, value, err, errlen);
}

/* Optimal string alignment distance (edits, and swaps of neighbours), capped: only small
 * distances matter for a suggestion. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	enum { MAXW = 64 };
	if (la >= MAXW || lb >= MAXW)
		return (size_t)-1;
	size_t d[MAXW + 1][MAXW + 1];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

void opts_suggest(char *err, size_t errlen, const char *word, size_t len, const char *const *cands, size_t n,
		  const char *prefix)
{
	size_t used = strlen(err);
	bool any = false;
	for (size_t i = 0; i < n && used < errlen; i++) {
		size_t cl = strlen(cands[i]);
		bool near = edit_distance(word, len, cands[i], cl) <= OPTS_SUGGEST_DISTANCE;
		bool prefixes = len >= 2 && len < cl && !strncmp(word, cands[i], len);
		if (!near && !prefixes)
			continue;
		snprintf(err + used, errlen - used, "%s\t%s%s", any ? "\n" : "\n\nDid you mean this?\n", prefix,
			 cands[i]);
		used = strlen(err);
		any = true;
	}
	/* A blank line before the usage hint, as cobra leaves one. */
	if (any && used + 1 < errlen) {
		err[used] = '\n';
		err[used + 1] = '\0';
	}
}

static int parse_long(const struct opt *const *tables, int argc, char **argv, int *i,
		      opt_handler fn, void *ctx, char *err, size_t errlen)
{
	const char *word = argv[*i] + 2;
	const char *eq = strchr(word, '=');
	size_t len = eq ? (size_t)(eq - word) : strlen(word);
	const struct opt *o = opts_find_long(tables, word, len);
	if (!o) {
		const char *names[256];
		size_t n = 0;
		for (const struct opt *const *t = tables; *t; t++)
			for (const struct opt *x = *t; x->name && n < sizeof(names) / sizeof(names[0]); x++)
				if (!(x->flags & OPT_HIDDEN))
					names[n++] = x->name;
		snprintf(err, errlen, "unknown flag: --%.*s", (int)len, word);
		opts_suggest(err, errlen, word, len, names, n, "--");
		return -1;
	}
	const char *value = eq ? eq + 1 : NULL;
	if (o->arg == OPT_VALUE && !value) {
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "flag needs an argument: --%s", o->name);
			return -1;
		}
		value = argv[++*i];
	}
	return deliver(o, value, fn, ctx, err, errlen);
}

static int parse_short(const struct opt *const *tables, int argc, char **argv, int *i,
		       opt_handler fn, void *ctx, char *err, size_t errlen)
{
	/* -abc groups boolean flags; a flag taking a value eats the rest. */
	for (const char *p = argv[*i] + 1; *p; p++) {
		const struct opt *o = opts_find_short(tables, *p);
		if (!o) {
			snprintf(err, errlen, "unknown shorthand flag: '%c' in %s", *p, argv[*i]);
			return -1;
		}
		if (o->arg == OPT_BOOL) {
			const char *value = NULL;
			if (p[1] == '=') {
				value = p + 2;
				if (deliver(o, value, fn, ctx, err, errlen) < 0)
					return -1;
				return 0;
			}
			if (deliver(o, NULL, fn, ctx, err, errlen) < 0)
				return -1;
			continue;
		}
		const char *value = p[1] ? p + 1 + (p[1] == '=') : NULL;
		if (!value && o->arg == OPT_VALUE) {
			if (*i + 1 >= argc) {
				snprintf(err, errlen, "flag needs an argument: '%c' in -%c", *p, *p);
				return -1;
			}
			value = argv[++*i];
		}
		return deliver(o, value, fn, ctx, err, errlen);
	}
	return 0;
}

int opts_parse(const struct opt *const *tables, int argc, char **argv, opt_handler fn, void *ctx,
	       bool stop_at_dashdash, struct opt_args *args, char *err, size_t errlen)
{
	args->n = 0;
	args->nrest = 0;
	args->rest = NULL;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		int rc = 0;
		if (strcmp(w, "--") == 0) {
			if (stop_at_dashdash) {
				args->rest = argv + i + 1;
				args->nrest = argc - i - 1;
			} else {
				for (i++; i < argc; i++)
					args->v[args->n++] = argv[i];
			}
			break;
		} else if (w[0] == '-' && w[1] == '-') {
			rc = parse_long(tables, argc, argv, &i, fn, ctx, err, errlen);
		} else if (w[0] == '-' && w[1]) {
			rc = parse_short(tables, argc, argv, &i, fn, ctx, err, errlen);
		} else {
			args->v[args->n++] = argv[i];
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

void opts_help(struct buf *out, const struct opt *const *tables)
{
	buf_adds(out, "Options:\n");
	for (; *tables; tables++) {
		for (const struct opt *o = *tables; o->name; o++) {
			if (o->flags & OPT_HIDDEN)
				continue;
			size_t start = out->len;
			if (o->shortname)
				buf_addf(out, "    -%c, --%s", o->shortname, o->name);
			else
				buf_addf(out, "    --%s", o->name);
			if (o->arg == OPT_VALUE)
				buf_addf(out, "=%s", o->argname ? o->argname : "VALUE");
			else if (o->arg == OPT_OPTIONAL)
				buf_addf(out, "[=%s]", o->argname ? o->argname : "VALUE");
			if (o->flags & OPT_REPEAT)
				buf_adds(out, " (repeatable)");
			size_t width = out->len - start;
			if (width < 36)
				buf_addf(out, "%*s", (int)(36 - width), "");
			else
				buf_adds(out, "\n                                    ");
			buf_adds(out, o->help ? o->help : "");
			if (o->dflt)
				buf_addf(out, " (default %s)", o->dflt);
			buf_addc(out, '\n');
		}
	}
}

struct help_catch {
	int help_id;
	bool *help;
	opt_handler fn;
	void *ctx;
};

static int catch_help(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct help_catch *c = ctx;
	if (o->id == c->help_id) {
		*c->help = !value || strcmp(value, "false") != 0;
		return 0;
	}
	return c->fn(c->ctx, o, value, err, errlen);
}

int opts_parse_help(const struct opt *const *tables, int help_id, bool *help, int argc, char **argv,
		    opt_handler fn, void *ctx, bool stop_at_dashdash, struct opt_args *args, char *err,
		    size_t errlen)
{
	struct help_catch c = { help_id, help, fn, ctx };
	*help = false;
	return opts_parse(tables, argc, argv, catch_help, &c, stop_at_dashdash, args, err, errlen);
}

void opts_command_help(struct buf *out, const char *summary, const char *description,
		       const struct opt *const *tables, const char *usage)
{
	buf_addf(out, "%s\n\n", summary);
	if (description)
		buf_addf(out, "%s\n\n", description);
	if (tables) {
		opts_help(out, tables);
		buf_addc(out, '\n');
	}
	buf_addf(out, "Usage:\n  %s\n", usage);
}

void opts_usage_verror(const char *prog, const char *command, const char *fmt, va_list ap)
{
	fputs("error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (command)
		fprintf(stderr, "See '%s %s --help' for usage.\n", prog, command);
	else
		fprintf(stderr, "See '%s --help' for usage.\n", prog);
}

bool parse_duration_ms(const char *s, long long *ms)
{
	if (!*s)
		return false;
	long long total = 0;
	const char *p = s;
	while (*p) {
		if (*p < '0' || *p > '9')
			return false;
		long long v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			if (v > 1000000000LL)
				return false;
		}
		long long unit;
		if (strncmp(p, "ms", 2) == 0)
			unit = 1, p += 2;
		else if (*p == 's')
			unit = 1000, p++;
		else if (*p == 'm')
			unit = 60000, p++;
		else if (*p == 'h')
			unit = 3600000, p++;
		else if (*p == '\0' && v == 0 && p == s + 1)
			unit = 0;
		else
			return false;
		total += v * unit;
	}
	*ms = total;
	return true;
}

bool parse_count(const char *s, int *out)
{
	if (!*s)
		return false;
	long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
		if (v > 1000000000L)
			return false;
	}
	*out = (int)v;
	return true;
}

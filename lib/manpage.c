/* manpage.c -- roff man pages from the command and option tables that also parse the flags. */
#include "manpage.h"
#include "buf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Characters roff would reinterpret: the escape character, hyphens (so that
 * flags copy and paste as ASCII), and quotes that groff typesets as curly. */
static void roff_chars(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\': buf_adds(out, "\\e"); break;
		case '-': buf_adds(out, "\\-"); break;
		case '`': buf_adds(out, "\\(ga"); break;
		case '\'': buf_adds(out, "\\(aq"); break;
		default: buf_addc(out, s[i]); break;
		}
	}
}

/* One input line of text: `.` or `'` first would make it a request. */
static void roff_line(struct buf *out, const char *s, size_t len)
{
	if (len && (s[0] == '.' || s[0] == '\''))
		buf_adds(out, "\\&");
	roff_chars(out, s, len);
	buf_addc(out, '\n');
}

static void roff_str(struct buf *out, const char *s)
{
	roff_chars(out, s, strlen(s));
}

static size_t indent_of(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* Text as paragraphs: blank lines separate paragraphs, runs of indented lines
 * are kept line by line (examples), other lines are filled. */
static void roff_text(struct buf *out, const char *text)
{
	bool in_nf = false, need_pp = false, any = false;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		size_t ind = indent_of(p, len);
		if (ind == len) {
			need_pp = any;
		} else {
			bool pre = ind > 0;
			if (in_nf && (!pre || need_pp)) {
				buf_adds(out, ".fi\n.RE\n");
				in_nf = false;
			}
			if (need_pp) {
				buf_adds(out, ".PP\n");
				need_pp = false;
			}
			if (pre && !in_nf) {
				buf_adds(out, ".RS 4\n.nf\n");
				in_nf = true;
			}
			roff_line(out, p + ind, len - ind);
			any = true;
		}
		p = nl ? nl + 1 : p + len;
	}
	if (in_nf)
		buf_adds(out, ".fi\n.RE\n");
}

static void opt_entry(struct buf *out, const struct opt *o)
{
	buf_adds(out, ".TP\n");
	if (o->shortname)
		buf_addf(out, "\\fB\\-%c\\fR, ", o->shortname);
	buf_adds(out, "\\fB\\-\\-");
	roff_str(out, o->name);
	buf_adds(out, "\\fR");
	const char *arg = o->argname ? o->argname : "VALUE";
	if (o->arg == OPT_VALUE || o->arg == OPT_OPTIONAL) {
		buf_adds(out, o->arg == OPT_OPTIONAL ? "[=\\fI" : "=\\fI");
		roff_str(out, arg);
		buf_adds(out, o->arg == OPT_OPTIONAL ? "\\fR]" : "\\fR");
	}
	buf_addc(out, '\n');
	struct buf t = BUF_INIT;
	buf_adds(&t, o->help ? o->help : "");
	if (o->choices && (o->arg == OPT_BOOL || strcmp(arg, o->choices) != 0)) {
		buf_adds(&t, " One of: ");
		for (const char *c = o->choices; *c; c++)
			buf_adds(&t, *c == '|' ? ", " : (char[]){ *c, 0 });
		buf_addc(&t, '.');
	}
	if (o->dflt)
		buf_addf(&t, " (default %s)", o->dflt);
	if (o->flags & OPT_REPEAT)
		buf_adds(&t, " May be given more than once.");
	roff_text(out, t.data);
	buf_release(&t);
}

static void opt_table(struct buf *out, const struct opt *t)
{
	for (const struct opt *o = t; o->name; o++)
		if (!(o->flags & OPT_HIDDEN))
			opt_entry(out, o);
}

static bool has_visible(const struct opt *t)
{
	for (const struct opt *o = t; o->name; o++)
		if (!(o->flags & OPT_HIDDEN))
			return true;
	return false;
}

static bool cmd_has_group(const struct man_command *c, const struct opt *g)
{
	for (const struct opt *const *t = c->opts; t && *t; t++)
		if (*t == g)
			return true;
	return false;
}

/* "every command", or the names of the commands that take group g. */
static void group_title(struct buf *out, const struct man_page *p, const struct opt *g)
{
	size_t n = 0, seen = 0;
	for (size_t i = 0; i < p->ncmds; i++)
		n += cmd_has_group(&p->cmds[i], g);
	if (n == p->ncmds) {
		buf_adds(out, "every command");
		return;
	}
	for (size_t i = 0; i < p->ncmds; i++) {
		if (!cmd_has_group(&p->cmds[i], g))
			continue;
		if (seen)
			buf_adds(out, seen + 1 == n ? " and " : ", ");
		buf_adds(out, p->cmds[i].name);
		seen++;
	}
}

static bool group_shared(const struct man_page *p, const struct opt *g)
{
	size_t n = 0;
	for (size_t i = 0; i < p->ncmds; i++)
		n += cmd_has_group(&p->cmds[i], g);
	return n > 1;
}

/* The distinct shared groups, in order of first use. */
static size_t shared_groups(const struct man_page *p, const struct opt **v, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < p->ncmds; i++) {
		for (const struct opt *const *t = p->cmds[i].opts; t && *t; t++) {
			if (!group_shared(p, *t) || !has_visible(*t))
				continue;
			bool dup = false;
			for (size_t j = 0; j < n; j++)
				dup |= v[j] == *t;
			if (!dup && n < cap)
				v[n++] = *t;
		}
	}
	return n;
}

/* A usage line as typed: the program's invocation first, whether or not the
 * table's usage string starts with it. */
static void usage_line(struct buf *out, const struct man_page *p, const struct man_command *c)
{
	struct buf u = BUF_INIT;
	size_t len = strlen(p->invocation);
	if (strncmp(c->usage, p->invocation, len) != 0 || (c->usage[len] && c->usage[len] != ' '))
		buf_addf(&u, "%s ", p->invocation);
	buf_adds(&u, c->usage);
	roff_text(out, u.data);
	buf_release(&u);
}

static void command_section(struct buf *out, const struct man_page *p, const struct man_command *c)
{
	buf_adds(out, ".SS ");
	roff_line(out, c->name, strlen(c->name));
	roff_text(out, c->summary);
	buf_adds(out, ".PP\n\\fIUsage:\\fR\n");
	usage_line(out, p, c);
	if (c->description && *c->description) {
		buf_adds(out, ".PP\n");
		roff_text(out, c->description);
	}
	bool own = false;
	for (const struct opt *const *t = c->opts; t && *t; t++)
		own |= !group_shared(p, *t) && has_visible(*t);
	if (own) {
		buf_adds(out, ".PP\nOptions:\n");
		for (const struct opt *const *t = c->opts; t && *t; t++)
			if (!group_shared(p, *t))
				opt_table(out, *t);
	}
	/* Point at each shared group once, by the title it has below. */
	struct buf seen = BUF_INIT;
	for (const struct opt *const *t = c->opts; t && *t; t++) {
		if (!group_shared(p, *t) || !has_visible(*t))
			continue;
		struct buf title = BUF_INIT;
		group_title(&title, p, *t);
		buf_addc(&title, '\n');
		if (!strstr(seen.data, title.data)) {
			buf_adds(&seen, title.data);
			buf_adds(out, ".PP\nAlso the options of ");
			roff_chars(out, title.data, title.len - 1);
			buf_adds(out, " (see \\fBCOMMON OPTIONS\\fR).\n");
		}
		buf_release(&title);
	}
	buf_release(&seen);
}

static void common_options(struct buf *out, const struct man_page *p)
{
	const struct opt *groups[64];
	size_t n = shared_groups(p, groups, sizeof(groups) / sizeof(groups[0]));
	if (!n)
		return;
	buf_adds(out, ".SH COMMON OPTIONS\n");
	bool *done = calloc(n, sizeof(*done));
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		struct buf title = BUF_INIT;
		group_title(&title, p, groups[i]);
		buf_adds(out, ".SS Options of ");
		roff_line(out, title.data, title.len);
		/* Groups taken by the same commands share one subsection. */
		for (size_t j = i; j < n; j++) {
			struct buf other = BUF_INIT;
			group_title(&other, p, groups[j]);
			if (!strcmp(other.data, title.data)) {
				opt_table(out, groups[j]);
				done[j] = true;
			}
			buf_release(&other);
		}
		buf_release(&title);
	}
	free(done);
}

static void upper(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '-')
			buf_adds(out, "\\-");
		else
			buf_addc(out, *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s);
	}
}

void man_write(struct buf *out, const struct man_page *p)
{
	buf_adds(out, ".\\\" Generated from the command and option tables of ");
	buf_adds(out, p->prog);
	buf_adds(out, "; do not edit.\n.TH ");
	upper(out, p->prog);
	buf_adds(out, " 1 \"");
	roff_str(out, p->date ? p->date : "");
	buf_adds(out, "\" \"");
	roff_str(out, p->prog);
	buf_addc(out, ' ');
	roff_str(out, p->version);
	/* Left-aligned, unhyphenated: flags and object names stay whole. */
	buf_adds(out, "\" \"User Commands\"\n.nh\n.ad l\n.SH NAME\n");
	roff_str(out, p->prog);
	buf_adds(out, " \\- ");
	roff_str(out, p->summary);
	buf_adds(out, "\n.SH SYNOPSIS\n");
	for (size_t i = 0; i < p->ncmds; i++) {
		if (i)
			buf_adds(out, ".br\n");
		usage_line(out, p, &p->cmds[i]);
	}
	buf_adds(out, ".SH DESCRIPTION\n");
	roff_text(out, p->description);
	buf_adds(out, ".SH COMMANDS\n");
	for (size_t i = 0; i < p->ncmds; i++)
		command_section(out, p, &p->cmds[i]);
	common_options(out, p);
	if (p->exit_status) {
		buf_adds(out, ".SH EXIT STATUS\n");
		roff_text(out, p->exit_status);
	}
	for (size_t i = 0; i < p->nextra; i++) {
		buf_adds(out, ".SH ");
		roff_line(out, p->extra[i].title, strlen(p->extra[i].title));
		roff_text(out, p->extra[i].text);
	}
	if (p->see_also) {
		buf_adds(out, ".SH SEE ALSO\n");
		roff_text(out, p->see_also);
	}
}

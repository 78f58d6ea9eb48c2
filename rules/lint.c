/* lint.c -- the lint engine: findings, disable comments, and text, JSON and SARIF output. */
#include "lint.h"
#include "lint_int.h"

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "json.h"
#include "yaml_in.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

const struct lint_rule *lint_rule_find(const char *id)
{
	for (size_t i = 0; id && i < lint_rule_count; i++)
		if (!strcmp(lint_rules[i].id, id))
			return &lint_rules[i];
	return NULL;
}

/* ---- # kubectl-feast: disable=RULE ---- */

static const char DISABLE_TAG[] = "# kubectl-feast: disable=";

/* Does the text [p, e) carry a disable comment naming `id` (or all)? */
static bool names_rule(const char *p, const char *e, const char *id)
{
	size_t tl = sizeof(DISABLE_TAG) - 1, il = strlen(id);
	for (const char *q = p; q + tl <= e; q++) {
		if (memcmp(q, DISABLE_TAG, tl))
			continue;
		for (q += tl; q < e && !isspace((unsigned char)*q);) {
			const char *s = q;
			while (q < e && *q != ',' && !isspace((unsigned char)*q))
				q++;
			size_t n = (size_t)(q - s);
			if ((n == 3 && !memcmp(s, "all", 3)) || (n == il && !memcmp(s, id, n)))
				return true;
			if (q < e && *q == ',')
				q++;
		}
		return false;
	}
	return false;
}

/* The text of 1-based line `line` of src, without its newline; false past the end. */
static bool line_at(const char *src, size_t len, unsigned line, const char **p, const char **e)
{
	const char *s = src, *end = src + len;
	for (unsigned l = 1; l < line; l++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			return false;
		s = nl + 1;
	}
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	*p = s;
	*e = nl ? nl : end;
	return true;
}

static const char *skip_blank(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* The file's leading lines (comments, blank lines, `---`) speak for the whole file;
 * a line's own trailing comment, or a comment line right above it, for that line. */
static bool disabled(const struct document *doc, unsigned line, const char *id)
{
	const char *p, *e;
	if (!doc || !doc->src)
		return false;
	for (unsigned l = 1; line_at(doc->src, doc->src_len, l, &p, &e); l++) {
		const char *t = skip_blank(p, e);
		if (t < e && *t == '#') {
			if (names_rule(t, e, id))
				return true;
		} else if (t < e && !(e - t >= 3 && !memcmp(t, "---", 3))) {
			break;
		}
	}
	if (!line || !line_at(doc->src, doc->src_len, line, &p, &e))
		return false;
	if (names_rule(p, e, id))
		return true;
	if (line > 1 && line_at(doc->src, doc->src_len, line - 1, &p, &e)) {
		const char *t = skip_blank(p, e);
		return t < e && *t == '#' && names_rule(t, e, id);
	}
	return false;
}

int lint_report(struct diags *d, const struct document *doc, const char *id, const struct node *at,
		const char *path, const char *fmt, ...)
{
	const struct pos *pos = at ? &at->pos : &doc->root->pos;
	if (disabled(doc, pos->line, id))
		return 0;
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
	struct diag *x = diag_warn(d, pos, path, "%s", msg);
	x->rule = id;
	return 1;
}

size_t lint_warnings(const struct diags *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct lint_rule *r = lint_rule_find(d->v[i].rule);
		n += !r || r->severity == LINT_WARNING;
	}
	return n;
}

/* ---- output ---- */

struct rulesets {
	const struct lint_ruleset *v;
	size_t n;
};

static const struct lint_rule *find_rule(const struct rulesets *rs, const char *id)
{
	for (size_t s = 0; id && s < rs->n; s++)
		for (size_t i = 0; i < rs->v[s].n; i++)
			if (!strcmp(rs->v[s].v[i].id, id))
				return &rs->v[s].v[i];
	return NULL;
}

static const char *severity_name(const struct rulesets *rs, const struct diag *x)
{
	const struct lint_rule *r = find_rule(rs, x->rule);
	return !r ? "warning" : r->severity == LINT_NOTE ? "note" : r->severity == LINT_ERROR ? "error" : "warning";
}

static void format_text(const struct rulesets *rs, struct buf *out, const struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		const struct lint_rule *r = find_rule(rs, x->rule);
		if (x->pos.line)
			buf_addf(out, "%s: %s:%u:%u: ", severity_name(rs, x), x->pos.file ? x->pos.file : "-",
				 x->pos.line, x->pos.col);
		else
			buf_addf(out, "%s: %s: ", severity_name(rs, x), x->pos.file ? x->pos.file : "-");
		if (x->path && *x->path)
			buf_addf(out, "%s: ", x->path);
		buf_addf(out, "%s [%s]\n", x->msg, x->rule ? x->rule : "");
		if (r)
			buf_addf(out, "  fix: %s\n", r->fix);
	}
}

static void put_str(struct arena *a, struct node *m, const char *k, const char *v)
{
	map_put(a, m, k, node_str(a, v ? v : ""));
}

static void format_json(const struct rulesets *rs, struct arena *a, struct buf *out, const struct diags *d)
{
	struct node *list = node_seq(a, NULL);
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		const struct lint_rule *r = find_rule(rs, x->rule);
		struct node *m = node_map(a, NULL);
		put_str(a, m, "rule", x->rule);
		put_str(a, m, "severity", severity_name(rs, x));
		put_str(a, m, "file", x->pos.file);
		map_put(a, m, "line", node_int(a, x->pos.line));
		map_put(a, m, "column", node_int(a, x->pos.col));
		put_str(a, m, "path", x->path);
		put_str(a, m, "message", x->msg);
		put_str(a, m, "fix", r ? r->fix : "");
		seq_push(a, list, m);
	}
	json_emit(out, list, 2);
	buf_adds(out, "\n");
}

/* A file name as a SARIF artifact URI (RFC 3986: a relative reference, reserved bytes escaped). */
static const char *file_uri(struct arena *a, const char *file)
{
	struct buf b = BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)(file ? file : "-"); *p; p++) {
		if (isalnum(*p) || strchr("-._~/", *p))
			buf_addc(&b, (char)*p);
		else
			buf_addf(&b, "%%%02X", *p);
	}
	const char *s = arena_strdup(a, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

static struct node *text_obj(struct arena *a, const char *text)
{
	struct node *m = node_map(a, NULL);
	put_str(a, m, "text", text);
	return m;
}

static struct node *sarif_rules(struct arena *a)
{
	struct node *rules = node_seq(a, NULL);
	for (size_t i = 0; i < lint_rule_count; i++) {
		const struct lint_rule *r = &lint_rules[i];
		struct node *m = node_map(a, NULL), *cfg = node_map(a, NULL);
		put_str(a, m, "id", r->id);
		map_put(a, m, "shortDescription", text_obj(a, r->reason));
		map_put(a, m, "fullDescription", text_obj(a, arena_printf(a, "%s: %s", r->field, r->reason)));
		map_put(a, m, "help", text_obj(a, r->fix));
		put_str(a, cfg, "level", r->severity == LINT_NOTE ? "note" : "warning");
		map_put(a, m, "defaultConfiguration", cfg);
		seq_push(a, rules, m);
	}
	return rules;
}

static struct node *sarif_result(const struct rulesets *rs, struct arena *a, const struct diag *x)
{
	struct node *res = node_map(a, NULL), *loc = node_map(a, NULL), *phys = node_map(a, NULL);
	struct node *art = node_map(a, NULL), *locs = node_seq(a, NULL);
	const struct lint_rule *r = lint_rule_find(x->rule);
	put_str(a, res, "ruleId", x->rule);
	if (r)
		map_put(a, res, "ruleIndex", node_int(a, (int64_t)(r - lint_rules)));
	put_str(a, res, "level", severity_name(rs, x));
	map_put(a, res, "message", text_obj(a, x->path && *x->path ? arena_printf(a, "%s: %s", x->path, x->msg) : x->msg));
	put_str(a, art, "uri", file_uri(a, x->pos.file));
	map_put(a, phys, "artifactLocation", art);
	if (x->pos.line) {
		struct node *region = node_map(a, NULL);
		map_put(a, region, "startLine", node_int(a, x->pos.line));
		if (x->pos.col)
			map_put(a, region, "startColumn", node_int(a, x->pos.col));
		map_put(a, phys, "region", region);
	}
	map_put(a, loc, "physicalLocation", phys);
	seq_push(a, locs, loc);
	map_put(a, res, "locations", locs);
	return res;
}

static void format_sarif(const struct rulesets *rs, struct arena *a, struct buf *out, const struct diags *d,
			 const char *version)
{
	struct node *root = node_map(a, NULL), *run = node_map(a, NULL), *tool = node_map(a, NULL);
	struct node *driver = node_map(a, NULL), *runs = node_seq(a, NULL), *results = node_seq(a, NULL);
	put_str(a, root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	put_str(a, root, "version", "2.1.0");
	put_str(a, driver, "name", "kubectl-feast");
	put_str(a, driver, "version", version);
	put_str(a, driver, "informationUri", "https://feast.dev");
	map_put(a, driver, "rules", sarif_rules(a));
	map_put(a, tool, "driver", driver);
	map_put(a, run, "tool", tool);
	for (size_t i = 0; i < d->n; i++)
		seq_push(a, results, sarif_result(rs, a, &d->v[i]));
	map_put(a, run, "results", results);
	seq_push(a, runs, run);
	map_put(a, root, "runs", runs);
	json_emit(out, root, 2);
	buf_adds(out, "\n");
}

void lint_format_with(struct buf *out, const struct diags *d, enum lint_format f, const char *version,
		      const struct lint_ruleset *sets, size_t nsets)
{
	struct arena a = ARENA_INIT;
	struct rulesets rs = { sets, nsets };
	if (f == LINT_JSON)
		format_json(&rs, &a, out, d);
	else if (f == LINT_SARIF)
		format_sarif(&rs, &a, out, d, version);
	else
		format_text(&rs, out, d);
	arena_free(&a);
}

void lint_format(struct buf *out, const struct diags *d, enum lint_format f, const char *version)
{
	const struct lint_ruleset own = { lint_rules, lint_rule_count };
	lint_format_with(out, d, f, version, &own, 1);
}

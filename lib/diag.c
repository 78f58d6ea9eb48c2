/* diag.c -- collect and print diagnostics with file:line:col and field path. */
#include "diag.h"
#include "arena.h"
#include "buf.h"
#include "json.h"

#include <stdarg.h>
#include <string.h>

void diags_init(struct diags *d, struct arena *a)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
}

struct diag *diag_add(struct diags *d, enum diag_level level, const struct pos *pos,
		      const char *path, const char *fmt, ...)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		d->v = arena_grow(d->arena, d->v, d->n * sizeof(*d->v), cap * sizeof(*d->v));
		d->cap = cap;
	}
	struct diag *x = &d->v[d->n++];
	memset(x, 0, sizeof(*x));
	x->level = level;
	if (pos) {
		x->pos = *pos;
		if (pos->file)
			x->pos.file = arena_strdup(d->arena, pos->file);
	}
	x->path = arena_strdup(d->arena, path ? path : "");
	va_list ap;
	va_start(ap, fmt);
	x->msg = arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	return x;
}

void diags_copy(struct diags *to, const struct diags *from, size_t begin, size_t end)
{
	for (size_t i = begin; i < end && i < from->n; i++) {
		const struct diag *x = &from->v[i];
		struct diag *y = diag_add(to, x->level, &x->pos, x->path, "%s", x->msg);
		y->rule = x->rule;
		y->source = x->source;
	}
}

void diags_set_source(struct diags *d, size_t from, const char *source)
{
	for (size_t i = from; i < d->n; i++)
		if (!d->v[i].source)
			d->v[i].source = source;
}

void diag_format(struct buf *out, const struct diag *d)
{
	buf_adds(out, d->level == DIAG_ERROR ? "error: " : "warning: ");
	if (d->pos.file) {
		buf_adds(out, d->pos.file);
		if (d->pos.line)
			buf_addf(out, ":%u:%u", d->pos.line, d->pos.col);
		buf_adds(out, ": ");
	}
	if (d->path && *d->path)
		buf_addf(out, "%s: ", d->path);
	buf_adds(out, d->msg);
}

void diags_print(FILE *f, const struct diags *d)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < d->n; i++) {
		buf_reset(&b);
		diag_format(&b, &d->v[i]);
		fprintf(f, "%s\n", b.data);
	}
	buf_release(&b);
}

void diags_flush_warnings(FILE *f, struct diags *d)
{
	struct buf b = BUF_INIT;
	size_t keep = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].level == DIAG_WARNING) {
			buf_reset(&b);
			diag_format(&b, &d->v[i]);
			fprintf(f, "%s\n", b.data);
		} else {
			d->v[keep++] = d->v[i];
		}
	}
	d->n = keep;
	d->warnings = 0;
	buf_release(&b);
}

void diags_drop_warnings(struct diags *d, size_t from)
{
	size_t keep = from;
	for (size_t i = from; i < d->n; i++) {
		if (d->v[i].level == DIAG_WARNING)
			d->warnings--;
		else
			d->v[keep++] = d->v[i];
	}
	d->n = keep;
}

size_t diags_promote(struct diags *d, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++) {
		struct diag *x = &d->v[i];
		if (x->level == DIAG_WARNING && x->rule && !strcmp(x->rule, rule)) {
			x->level = DIAG_ERROR;
			d->warnings--;
			d->errors++;
			n++;
		}
	}
	return n;
}

void diags_json(struct buf *out, const struct diags *d)
{
	buf_adds(out, "[");
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *x = &d->v[i];
		buf_adds(out, i ? ",\n  {" : "\n  {");
		buf_adds(out, "\"severity\": ");
		json_quote(out, x->level == DIAG_ERROR ? "error" : "warning", (size_t)-1);
		buf_adds(out, ", \"file\": ");
		json_quote(out, x->pos.file ? x->pos.file : "", (size_t)-1);
		buf_addf(out, ", \"line\": %u, \"column\": %u, \"field\": ", x->pos.line, x->pos.col);
		json_quote(out, x->path ? x->path : "", (size_t)-1);
		buf_adds(out, ", \"message\": ");
		json_quote(out, x->msg, (size_t)-1);
		if (x->rule) {
			buf_adds(out, ", \"rule\": ");
			json_quote(out, x->rule, (size_t)-1);
		}
		if (x->source) {
			buf_adds(out, ", \"source\": ");
			json_quote(out, x->source, (size_t)-1);
		}
		buf_adds(out, "}");
	}
	buf_adds(out, d->n ? "\n]\n" : "]\n");
}

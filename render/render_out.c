/* render_out.c -- rendered objects as YAML documents or one JSON List, whole or a batch at a time. */
#include "render.h"
#include "arena.h"
#include "buf.h"
#include "doc.h"
#include "json.h"
#include "yaml_out.h"

#include <stdlib.h>
#include <string.h>

/* json_emit() of {apiVersion, kind, items} at indent 2, cut where the items go. */
#define LIST_HEAD "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": "

void render_writer_init(struct render_writer *w, FILE *f, enum render_format format)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->format = format;
	w->b = (struct buf)BUF_INIT;
}

static int flush(struct render_writer *w)
{
	if (!w->failed && w->b.len && fwrite(w->b.data, 1, w->b.len, w->f) != w->b.len)
		w->failed = true;
	buf_reset(&w->b);
	return w->failed ? -1 : 0;
}

int render_writer_put(void *ctx, const struct render_obj *v, size_t n)
{
	struct render_writer *w = ctx;
	for (size_t i = 0; i < n && !w->failed; i++, w->n++) {
		if (w->format == RENDER_JSON) {
			buf_adds(&w->b, w->n ? "," : LIST_HEAD "[");
			buf_adds(&w->b, "\n    ");
			json_emit_at(&w->b, v[i].root, 2, 2);
		} else {
			/* yaml_emit() writes `---` before every document but the first, nothing else between. */
			if (w->n)
				buf_adds(&w->b, "---\n");
			if (yaml_emit_one(&w->b, v[i].root) < 0)
				w->failed = true;
		}
		flush(w);
	}
	return w->failed ? -1 : 0;
}

int render_writer_end(struct render_writer *w)
{
	if (w->format == RENDER_JSON)
		buf_adds(&w->b, w->n ? "\n  ]\n}\n" : LIST_HEAD "[]\n}\n");
	flush(w);
	buf_release(&w->b);
	return w->failed ? -1 : 0;
}

int render_fwrite(FILE *f, const struct objlist *objs, enum render_format format)
{
	struct render_writer w;
	render_writer_init(&w, f, format);
	render_writer_put(&w, objs->v, objs->n);
	return render_writer_end(&w);
}

int render_write(struct buf *out, const struct objlist *objs, enum render_format format)
{
	if (format == RENDER_YAML) {
		if (!objs->n)
			return 0;
		const struct node **roots = xmalloc(objs->n * sizeof(*roots));
		for (size_t i = 0; i < objs->n; i++)
			roots[i] = objs->v[i].root;
		int rc = yaml_emit(out, roots, objs->n);
		free(roots);
		return rc;
	}
	/* kubectl's List, with the objects as they are (nodes are only read). */
	struct arena a = ARENA_INIT;
	struct node *list = node_map(&a, NULL);
	map_put(&a, list, "apiVersion", node_str(&a, "v1"));
	map_put(&a, list, "kind", node_str(&a, "List"));
	struct node *items = node_seq(&a, NULL);
	for (size_t i = 0; i < objs->n; i++)
		seq_push(&a, items, objs->v[i].root);
	map_put(&a, list, "items", items);
	json_emit(out, list, 2);
	buf_addc(out, '\n');
	arena_free(&a);
	return 0;
}

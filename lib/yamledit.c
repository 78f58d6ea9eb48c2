/* yamledit.c -- set a scalar in YAML source text by byte offsets, nothing else touched. */
#include "yamledit.h"
#include "buf.h"
#include "doc.h"
#include "yaml_in.h"

#include <string.h>

static size_t line_start(const char *src, size_t off)
{
	while (off > 0 && src[off - 1] != '\n')
		off--;
	return off;
}

static size_t next_line(const char *src, size_t len, size_t off)
{
	while (off < len && src[off] != '\n')
		off++;
	return off < len ? off + 1 : len;
}

static const char *line_ending(const char *src, size_t len, size_t near)
{
	size_t e = next_line(src, len, near);
	return e >= 2 && src[e - 1] == '\n' && src[e - 2] == '\r' ? "\r\n" : "\n";
}

static void splice(struct buf *out, const struct document *doc, size_t at, size_t until,
		   const char *text)
{
	buf_add(out, doc->src, at);
	buf_adds(out, text);
	buf_add(out, doc->src + until, doc->src_len - until);
}

static int insert_in_flow_map(const struct document *doc, const struct node *map, const char *key,
			      const char *value, struct buf *out)
{
	/* map->end is just past the closing brace. */
	size_t close = map->end - 1;
	struct buf entry = BUF_INIT;
	buf_addf(&entry, "%s%s: %s", map->u.map.n ? ", " : "", key, value);
	splice(out, doc, close, close, entry.data);
	buf_release(&entry);
	return 0;
}

static int insert_in_block_map(const struct document *doc, const struct node *map, const char *key,
			       const char *value, const char *after_key, struct buf *out)
{
	const struct pair *first = &map->u.map.v[0];
	const struct pair *after = after_key ? map_find(map, after_key) : NULL;
	size_t indent = first->kpos.col - 1;
	size_t at;
	if (after && after->val->kind == NODE_SCALAR && after->val->pos.line == after->kpos.line &&
	    after->val->u.sc.style != STYLE_LITERAL && after->val->u.sc.style != STYLE_FOLDED)
		at = next_line(doc->src, doc->src_len, after->val->end);
	else
		at = line_start(doc->src, first->koff);
	const char *eol = line_ending(doc->src, doc->src_len, first->koff);
	struct buf line = BUF_INIT;
	/* A file that ends right after the anchor line has no newline to follow. */
	if (at == doc->src_len && at > 0 && doc->src[at - 1] != '\n')
		buf_adds(&line, eol);
	buf_addf(&line, "%*s%s: %s%s", (int)indent, "", key, value, eol);
	splice(out, doc, at, at, line.data);
	buf_release(&line);
	return 0;
}

int yamledit_set_scalar(const struct document *doc, const char *map_path, const char *key,
			const char *value, const char *after_key, struct buf *out, struct diags *d)
{
	const struct node *map = node_at(doc->root, map_path);
	if (!map || map->kind != NODE_MAP) {
		struct pos pos = doc->root ? doc->root->pos : (struct pos){ doc->file, 0, 0 };
		diag_error(d, &pos, map_path, "not found or not a map; cannot set %s", key);
		return -1;
	}
	const struct pair *p = map_find(map, key);
	if (p) {
		if (p->val->kind != NODE_SCALAR) {
			diag_error(d, &p->val->pos, map_path, "%s is not a single value; not changing it", key);
			return -1;
		}
		splice(out, doc, p->val->off, p->val->end, value);
		return 0;
	}
	if (map->off < doc->src_len && doc->src[map->off] == '{')
		return insert_in_flow_map(doc, map, key, value, out);
	if (map->u.map.n == 0) {
		diag_error(d, &map->pos, map_path, "is an empty map written without braces; cannot add %s", key);
		return -1;
	}
	return insert_in_block_map(doc, map, key, value, after_key, out);
}

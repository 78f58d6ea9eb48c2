/*
 * yamledit.h -- change one value in YAML source text and keep every other byte.
 *
 * GitOps files carry comments, key order and quoting that a re-emit would
 * lose.  yamledit_set_scalar() edits the document's source text directly,
 * using the byte offsets the reader recorded on each node: it replaces the
 * bytes of an existing scalar value, or inserts `key: value` as a new line in
 * a block map (after `after_key` when that key holds a one-line scalar, else
 * before the map's first key, with the same indentation and line ending), or
 * as a new entry of a flow map.  The result is the whole new stream text in
 * `out` (owned by the caller); the document itself is not changed.
 */
#ifndef FEAST_YAMLEDIT_H
#define FEAST_YAMLEDIT_H

struct buf;
struct diags;
struct document;

/* `map_path` is a dotted path from the document root ("spec").  `value` is
 * written as given, so it must already be valid YAML for a scalar. */
int yamledit_set_scalar(const struct document *doc, const char *map_path, const char *key,
			const char *value, const char *after_key, struct buf *out, struct diags *d);

#endif

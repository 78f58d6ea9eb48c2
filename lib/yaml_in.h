/*
 * yaml_in.h -- read YAML streams (libyaml) into document trees.
 *
 * yaml_parse() turns one input stream into documents, each a tree of nodes
 * carrying file, line, column and byte offsets.  It is meant for untrusted
 * bytes: invalid YAML (with libyaml's position), invalid UTF-8, duplicate
 * keys, non-scalar keys, unknown aliases, alias expansion past a node budget
 * or past a multiple of the input's size in bytes ("billion laughs"; anchors
 * are looked up by hash, so their number costs no time), nesting deeper than a limit and documents over a size
 * limit are errors, reported as diagnostics; nothing crashes.
 *
 * Ownership: the source text must outlive the documents only for
 * document.src (used for in-place edits); nodes copy their text into the
 * arena.  Documents with no content (a bare `---`) are left out.
 */
#ifndef FEAST_YAML_IN_H
#define FEAST_YAML_IN_H

#include <stddef.h>

#include "diag.h"

struct arena;
struct node;

struct document {
	struct node *root;
	const char *file;   /* name as given by the user ("-" for stdin) */
	unsigned index;     /* 0-based position in its stream, empty documents counted */
	const char *src;    /* the whole stream's text */
	size_t src_len;
	size_t off, end;    /* this document's byte span in src */
};

struct doclist {
	struct document *v;
	size_t n, cap;
};

struct yaml_limits {
	size_t max_doc_bytes;    /* default 8 MiB */
	unsigned max_depth;      /* default 100 */
	size_t max_alias_nodes;  /* nodes reachable through aliases; default 1,000,000 */
	/* Source bytes with every alias expanded: at most this many times the
	 * stream's size (default 16), or min_alias_bytes (default 1 MiB) if more. */
	unsigned max_alias_factor;
	size_t min_alias_bytes;
};

extern const struct yaml_limits yaml_default_limits;

/* Parse `text` (len bytes) named `file`; append its documents to `out`.
 * Returns 0, or -1 after adding at least one error to `d`; on error no
 * document of this stream is appended. `limits` may be NULL. */
int yaml_parse(struct arena *a, const char *file, const char *text, size_t len,
	       const struct yaml_limits *limits, struct doclist *out, struct diags *d);

/* The same, a document at a time, so that a caller may drop each tree before
 * the next is read.  yaml_stream_open() copies `file` into `a`; `text` must
 * outlive the stream (documents point into it).  yaml_stream_next() reads the
 * next document with content into `doc`, its nodes in `a` (which may differ
 * from call to call), and returns 1, or 0 at the end of the stream or after a
 * syntax error.  Diagnostics go to `d` as with yaml_parse(); a stream is
 * sound only when yaml_stream_errors() is 0 at its end (yaml_parse() then
 * keeps its documents).  Open returns NULL after adding an error to `d`. */
struct yaml_stream;
struct yaml_stream *yaml_stream_open(struct arena *a, const char *file, const char *text, size_t len,
				     const struct yaml_limits *limits, struct diags *d);
int yaml_stream_next(struct yaml_stream *s, struct arena *a, struct document *doc);
size_t yaml_stream_errors(const struct yaml_stream *s);
void yaml_stream_close(struct yaml_stream *s);

void doclist_push(struct arena *a, struct doclist *l, const struct document *doc);

#endif

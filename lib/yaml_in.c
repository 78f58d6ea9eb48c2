/* yaml_in.c -- libyaml events to document trees, with positions and limits. */
#include "yaml_in.h"
#include "arena.h"
#include "buf.h"
#include "doc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const struct yaml_limits yaml_default_limits = {
	.max_doc_bytes = 8u << 20,
	.max_depth = 100,
	.max_alias_nodes = 1000000,
	.max_alias_factor = 16,
	.min_alias_bytes = 1u << 20,
};

struct anchor {
	const char *name;
	size_t hash;
	struct node *node;
	size_t size;  /* nodes in the anchored subtree, aliases expanded */
	size_t bytes; /* source bytes of the subtree, aliases expanded */
};

/* Anchor names to their latest anchor, so that a lookup costs the same with
 * 100,000 anchors as with one.  A slot is in use only when its generation is
 * the reader's: each document starts with an empty table without clearing it. */
struct anchor_slot {
	size_t index; /* into reader.anchors */
	unsigned gen;
};

struct reader {
	struct arena *a;
	yaml_parser_t parser;
	const char *file, *text;
	size_t len;
	const struct yaml_limits *lim;
	struct diags *d;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	struct anchor_slot *slots;
	size_t nslots;    /* a power of two, at least twice nanchors */
	unsigned gen;     /* of the document being read; slots of older ones are free */
	size_t alias_nodes;
	size_t alias_bytes, max_alias_bytes; /* bytes aliases add to the whole stream */
	const char *keys[128]; /* key path to the node being read, for messages */
	unsigned depth;
	bool syntax_error; /* libyaml cannot go on after one */
	size_t errors;
};

void doclist_push(struct arena *a, struct doclist *l, const struct document *doc)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		l->v = arena_grow(a, l->v, l->n * sizeof(*l->v), cap * sizeof(*l->v));
		l->cap = cap;
	}
	l->v[l->n++] = *doc;
}

static struct pos mark_pos(const struct reader *r, yaml_mark_t m)
{
	struct pos p = { r->file, (unsigned)m.line + 1, (unsigned)m.column + 1 };
	return p;
}

/* libyaml's reader errors carry only a byte offset. */
static struct pos offset_pos(const struct reader *r, size_t off)
{
	struct pos p = { r->file, 1, 1 };
	for (size_t i = 0; i < off && i < r->len; i++) {
		if (r->text[i] == '\n') {
			p.line++;
			p.col = 1;
		} else if (((unsigned char)r->text[i] & 0xC0) != 0x80) {
			p.col++;
		}
	}
	return p;
}

static const char *key_path(struct reader *r)
{
	struct buf b = BUF_INIT;
	for (unsigned i = 0; i < r->depth && i < 128; i++) {
		if (!r->keys[i])
			continue;
		if (b.len)
			buf_addc(&b, '.');
		buf_adds(&b, r->keys[i]);
	}
	const char *s = arena_strdup(r->a, b.data);
	buf_release(&b);
	return s;
}

static void reader_error(struct reader *r, const struct pos *pos, const char *msg)
{
	diag_error(r->d, pos, key_path(r), "%s", msg);
	r->errors++;
}

static void syntax_error(struct reader *r)
{
	yaml_parser_t *p = &r->parser;
	struct pos pos;
	struct buf msg = BUF_INIT;
	r->syntax_error = true;
	if (p->error == YAML_READER_ERROR) {
		pos = offset_pos(r, p->problem_offset);
		buf_addf(&msg, "invalid input: %s", p->problem ? p->problem : "unreadable bytes");
		if (p->problem_value != -1)
			buf_addf(&msg, " (byte 0x%02x)", (unsigned)p->problem_value & 0xff);
	} else if (p->error == YAML_MEMORY_ERROR) {
		pos = offset_pos(r, 0);
		buf_adds(&msg, "out of memory while parsing YAML");
	} else {
		pos = mark_pos(r, p->problem_mark);
		buf_addf(&msg, "invalid YAML: %s", p->problem ? p->problem : "syntax error");
		if (p->context)
			buf_addf(&msg, " %s at line %zu, column %zu", p->context,
				 p->context_mark.line + 1, p->context_mark.column + 1);
	}
	/* Positions past the end point one column after the last character. */
	reader_error(r, &pos, msg.data);
	buf_release(&msg);
}

static bool next_event(struct reader *r, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&r->parser, ev)) {
		syntax_error(r);
		return false;
	}
	return true;
}

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot holding `name` (hash `h`), or the free slot where it would go. */
static struct anchor_slot *anchor_slot(struct reader *r, const char *name, size_t h)
{
	for (size_t i = h & (r->nslots - 1);; i = (i + 1) & (r->nslots - 1)) {
		struct anchor_slot *s = &r->slots[i];
		if (s->gen != r->gen)
			return s;
		const struct anchor *an = &r->anchors[s->index];
		if (an->hash == h && strcmp(an->name, name) == 0)
			return s;
	}
}

static void index_anchor(struct reader *r, size_t index)
{
	struct anchor_slot *s = anchor_slot(r, r->anchors[index].name, r->anchors[index].hash);
	s->index = index; /* a later anchor of the same name shadows the earlier one */
	s->gen = r->gen;
}

static void add_anchor(struct reader *r, const char *name, struct node *n, size_t size, size_t bytes)
{
	if (r->nanchors == r->capanchors) {
		r->capanchors = r->capanchors ? r->capanchors * 2 : 8;
		r->anchors = xrealloc(r->anchors, r->capanchors * sizeof(*r->anchors));
	}
	struct anchor *an = &r->anchors[r->nanchors++];
	an->name = arena_strdup(r->a, name);
	an->hash = name_hash(name);
	an->node = n;
	an->size = size;
	an->bytes = bytes;
	if (2 * r->nanchors > r->nslots) {
		free(r->slots);
		r->nslots = r->nslots ? r->nslots * 2 : 64;
		r->slots = xcalloc(r->nslots, sizeof(*r->slots));
		r->gen = 1;
		for (size_t i = 0; i + 1 < r->nanchors; i++)
			index_anchor(r, i);
	}
	index_anchor(r, r->nanchors - 1);
}

static struct anchor *find_anchor(struct reader *r, const char *name)
{
	if (!r->nanchors)
		return NULL;
	struct anchor_slot *s = anchor_slot(r, name, name_hash(name));
	return s->gen == r->gen ? &r->anchors[s->index] : NULL;
}

static enum scalar_style map_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_PLAIN_SCALAR_STYLE:
		return STYLE_PLAIN;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return STYLE_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return STYLE_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE:
		return STYLE_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return STYLE_FOLDED;
	default:
		return STYLE_ANY;
	}
}

#define CORE_TAG "tag:yaml.org,2002:"

static struct node *read_scalar(struct reader *r, yaml_event_t *ev)
{
	struct pos pos = mark_pos(r, ev->start_mark);
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	enum scalar_style style = map_style(ev->data.scalar.style);
	enum scalar_type type = SCALAR_STR;
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *keep_tag = NULL;

	if (tag && strncmp(tag, CORE_TAG, strlen(CORE_TAG)) == 0) {
		const char *t = tag + strlen(CORE_TAG);
		if (!strcmp(t, "str"))
			type = SCALAR_STR;
		else if (!strcmp(t, "int"))
			type = SCALAR_INT;
		else if (!strcmp(t, "float"))
			type = SCALAR_FLOAT;
		else if (!strcmp(t, "bool"))
			type = SCALAR_BOOL;
		else if (!strcmp(t, "null"))
			type = SCALAR_NULL;
		else
			keep_tag = tag;
		if (type == SCALAR_INT) {
			int64_t v;
			if (!scalar_parse_int(s, len, &v)) {
				reader_error(r, &pos, "value tagged !!int is not an integer");
				type = SCALAR_STR;
			}
		} else if (type == SCALAR_BOOL && scalar_resolve(s, len) != SCALAR_BOOL) {
			reader_error(r, &pos, "value tagged !!bool is not a boolean");
			type = SCALAR_STR;
		}
	} else if (tag && strcmp(tag, "!") != 0) {
		keep_tag = tag;
	} else if (style == STYLE_PLAIN && !tag) {
		type = scalar_resolve(s, len);
	}
	if (memchr(s, '\0', len))
		reader_error(r, &pos, "NUL characters are not allowed in strings");
	struct node *n = node_scalar(r->a, &pos, s, len, type, style);
	n->off = ev->start_mark.index;
	n->end = ev->end_mark.index;
	if (keep_tag)
		n->tag = arena_strdup(r->a, keep_tag);
	return n;
}

static struct node *read_node(struct reader *r, yaml_event_t *ev, size_t *count);

static bool check_depth(struct reader *r, yaml_event_t *ev)
{
	if (r->depth < r->lim->max_depth && r->depth < 127)
		return true;
	struct pos pos = mark_pos(r, ev->start_mark);
	char msg[96];
	snprintf(msg, sizeof(msg), "nesting deeper than %u levels", r->lim->max_depth);
	reader_error(r, &pos, msg);
	r->syntax_error = true; /* stop: the rest of this subtree is not worth reading */
	return false;
}

static struct node *read_sequence(struct reader *r, yaml_event_t *start, size_t *count)
{
	struct pos pos = mark_pos(r, start->start_mark);
	struct node *seq = node_seq(r->a, &pos);
	seq->off = start->start_mark.index;
	if (!check_depth(r, start))
		return NULL;
	r->keys[r->depth++] = NULL;
	for (;;) {
		yaml_event_t ev;
		if (!next_event(r, &ev))
			break;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			seq->end = ev.end_mark.index;
			yaml_event_delete(&ev);
			r->depth--;
			return seq;
		}
		struct node *item = read_node(r, &ev, count);
		yaml_event_delete(&ev);
		if (!item)
			break;
		seq_push(r->a, seq, item);
	}
	r->depth--;
	return NULL;
}

/* Keys written by the user win over keys merged in with `<<`. */
static void apply_merge(struct reader *r, struct node *map, const struct node *src,
			const struct pos *at)
{
	if (src->kind == NODE_SEQ) {
		for (size_t i = 0; i < src->u.seq.n; i++)
			apply_merge(r, map, src->u.seq.v[i], at);
		return;
	}
	if (src->kind != NODE_MAP) {
		reader_error(r, at, "merge key `<<` needs a map or a list of maps");
		return;
	}
	for (size_t i = 0; i < src->u.map.n; i++)
		if (!map_has(map, src->u.map.v[i].key))
			map_put(r->a, map, src->u.map.v[i].key, src->u.map.v[i].val);
}

static int compare_pairs_by_key(const void *x, const void *y)
{
	const struct pair *a = *(const struct pair *const *)x, *b = *(const struct pair *const *)y;
	int c = strcmp(a->key, b->key);
	if (c)
		return c;
	return a->kpos.line != b->kpos.line ? (a->kpos.line < b->kpos.line ? -1 : 1)
					    : (a->kpos.col < b->kpos.col ? -1 : a->kpos.col > b->kpos.col);
}

static void report_duplicate(struct reader *r, const struct pair *first, const struct pair *again)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "duplicate key \"%.200s\" (first defined at line %u, column %u)",
		 again->key, first->kpos.line, first->kpos.col);
	reader_error(r, &again->kpos, msg);
}

/* Small maps are checked as keys arrive; big ones once, sorted, at the end,
 * so a hostile map with many keys cannot make the check quadratic. */
static void check_duplicates_sorted(struct reader *r, struct node *map)
{
	size_t n = map->u.map.n;
	const struct pair **v = xmalloc(n * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = &map->u.map.v[i];
	qsort(v, n, sizeof(*v), compare_pairs_by_key);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i - 1]->key, v[i]->key) == 0)
			report_duplicate(r, v[i - 1], v[i]);
	free(v);
}

#define SMALL_MAP 16

static bool read_pair(struct reader *r, struct node *map, yaml_event_t *kev, size_t *count,
		      struct node ***merges, size_t *nmerges)
{
	struct pos kpos = mark_pos(r, kev->start_mark);
	if (kev->type != YAML_SCALAR_EVENT) {
		reader_error(r, &kpos, "only string keys are supported in mappings");
		r->syntax_error = true;
		return false;
	}
	const char *key = arena_strndup(r->a, (const char *)kev->data.scalar.value,
					kev->data.scalar.length);
	bool is_merge = strcmp(key, "<<") == 0 && kev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			!kev->data.scalar.tag;
	if (kev->data.scalar.anchor)
		add_anchor(r, (const char *)kev->data.scalar.anchor,
			   node_scalar(r->a, &kpos, key, strlen(key), SCALAR_STR, STYLE_ANY), 1,
			   strlen(key));
	yaml_event_t vev;
	if (!next_event(r, &vev))
		return false;
	r->keys[r->depth - 1] = key;
	struct node *val = read_node(r, &vev, count);
	yaml_event_delete(&vev);
	if (!val)
		return false;
	if (is_merge) {
		*merges = xrealloc(*merges, (*nmerges + 1) * sizeof(**merges));
		(*merges)[(*nmerges)++] = val;
		return true;
	}
	if (map->u.map.n < SMALL_MAP) {
		struct pair *first = map_find(map, key);
		if (first) {
			struct pair again = { key, kpos, kev->start_mark.index, val };
			report_duplicate(r, first, &again);
		}
	}
	map_put(r->a, map, key, val);
	map->u.map.v[map->u.map.n - 1].kpos = kpos;
	map->u.map.v[map->u.map.n - 1].koff = kev->start_mark.index;
	return true;
}

static struct node *read_mapping(struct reader *r, yaml_event_t *start, size_t *count)
{
	struct pos pos = mark_pos(r, start->start_mark);
	struct node *map = node_map(r->a, &pos);
	map->off = start->start_mark.index;
	struct node **merges = NULL;
	size_t nmerges = 0;
	if (!check_depth(r, start))
		return NULL;
	r->keys[r->depth++] = NULL;
	for (;;) {
		yaml_event_t kev;
		if (!next_event(r, &kev))
			break;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			map->end = kev.end_mark.index;
			yaml_event_delete(&kev);
			r->depth--;
			if (map->u.map.n >= SMALL_MAP)
				check_duplicates_sorted(r, map);
			for (size_t i = 0; i < nmerges; i++)
				apply_merge(r, map, merges[i], &pos);
			free(merges);
			return map;
		}
		bool ok = read_pair(r, map, &kev, count, &merges, &nmerges);
		yaml_event_delete(&kev);
		if (!ok)
			break;
	}
	free(merges);
	r->depth--;
	return NULL;
}

static struct node *read_alias(struct reader *r, yaml_event_t *ev, size_t *count)
{
	struct pos pos = mark_pos(r, ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	struct anchor *an = find_anchor(r, name);
	if (!an) {
		char msg[256];
		snprintf(msg, sizeof(msg), "unknown alias \"*%.200s\" (no anchor of that name before it)", name);
		reader_error(r, &pos, msg);
		r->syntax_error = true;
		return NULL;
	}
	r->alias_nodes += an->size;
	*count += an->size;
	if (r->alias_nodes > r->lim->max_alias_nodes) {
		char msg[160];
		snprintf(msg, sizeof(msg),
			 "aliases expand to more than %zu nodes (an alias bomb?); refusing to expand further",
			 r->lim->max_alias_nodes);
		reader_error(r, &pos, msg);
		r->syntax_error = true;
		return NULL;
	}
	r->alias_bytes += an->bytes;
	if (r->alias_bytes > r->max_alias_bytes) {
		char msg[256];
		snprintf(msg, sizeof(msg),
			 "aliases expand this %zu-byte input past %zu bytes (the limit: %u times its size, "
			 "at least %zu KiB; an alias bomb?); refusing to expand further",
			 r->len, r->len + r->max_alias_bytes, r->lim->max_alias_factor,
			 r->lim->min_alias_bytes >> 10);
		reader_error(r, &pos, msg);
		r->syntax_error = true;
		return NULL;
	}
	return an->node;
}

static struct node *read_node(struct reader *r, yaml_event_t *ev, size_t *count)
{
	size_t mine = 1, added = r->alias_bytes;
	struct node *n = NULL;
	const yaml_char_t *anchor = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = read_scalar(r, ev);
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		n = read_sequence(r, ev, &mine);
		anchor = ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		n = read_mapping(r, ev, &mine);
		anchor = ev->data.mapping_start.anchor;
		break;
	case YAML_ALIAS_EVENT:
		return read_alias(r, ev, count);
	default: {
		struct pos pos = mark_pos(r, ev->start_mark);
		reader_error(r, &pos, "unexpected YAML event");
		r->syntax_error = true;
		return NULL;
	}
	}
	/* What the node's own text spans, plus what aliases inside it added. */
	if (n && anchor)
		add_anchor(r, (const char *)anchor, n, mine,
			   (n->end > n->off ? n->end - n->off : 0) + r->alias_bytes - added);
	*count += mine;
	return n;
}

/* Reads the document that `start` opens; *doc is left zeroed when it holds no content. */
static bool read_document(struct reader *r, yaml_event_t *start, unsigned index, struct document *out)
{
	r->nanchors = 0;
	if (++r->gen == 0 && r->slots) { /* wrapped: old generations would look current */
		memset(r->slots, 0, r->nslots * sizeof(*r->slots));
		r->gen = 1;
	}
	r->alias_nodes = 0;
	struct document doc = { 0 };
	doc.file = r->file;
	doc.index = index;
	doc.src = r->text;
	doc.src_len = r->len;
	doc.off = start->start_mark.index;
	yaml_event_t ev;
	if (!next_event(r, &ev))
		return false;
	size_t count = 0;
	if (ev.type != YAML_DOCUMENT_END_EVENT) {
		doc.root = read_node(r, &ev, &count);
		yaml_event_delete(&ev);
		if (!doc.root)
			return false;
		if (!next_event(r, &ev))
			return false;
	}
	doc.end = ev.end_mark.index;
	if (doc.end - doc.off > r->lim->max_doc_bytes) {
		struct pos pos = mark_pos(r, start->start_mark);
		char msg[128];
		snprintf(msg, sizeof(msg), "document is %zu bytes, over the limit of %zu bytes",
			 doc.end - doc.off, r->lim->max_doc_bytes);
		reader_error(r, &pos, msg);
	}
	yaml_event_delete(&ev);
	/* A document with only null (`---` alone, or `~`) holds no object. */
	memset(out, 0, sizeof(*out));
	if (doc.root && !node_is_null(doc.root))
		*out = doc;
	return true;
}

struct yaml_stream {
	struct reader r;
	unsigned index;
	bool done;
};

struct yaml_stream *yaml_stream_open(struct arena *a, const char *file, const char *text, size_t len,
				     const struct yaml_limits *limits, struct diags *d)
{
	struct yaml_stream *s = xcalloc(1, sizeof(*s));
	struct reader *r = &s->r;
	r->a = a;
	r->file = arena_strdup(a, file);
	r->text = text;
	r->len = len;
	r->lim = limits ? limits : &yaml_default_limits;
	/* Room for aliases: the stream's size times the factor, less the stream itself. */
	r->max_alias_bytes = len > SIZE_MAX / (r->lim->max_alias_factor + 1) ? SIZE_MAX / 2
			   : len * r->lim->max_alias_factor;
	if (r->max_alias_bytes < r->lim->min_alias_bytes)
		r->max_alias_bytes = r->lim->min_alias_bytes;
	r->max_alias_bytes -= len < r->max_alias_bytes ? len : r->max_alias_bytes;
	r->d = d;
	if (!yaml_parser_initialize(&r->parser)) {
		diag_error(d, NULL, "", "cannot initialise the YAML parser");
		free(s);
		return NULL;
	}
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)text, len);
	return s;
}

int yaml_stream_next(struct yaml_stream *s, struct arena *a, struct document *doc)
{
	struct reader *r = &s->r;
	r->a = a;
	memset(doc, 0, sizeof(*doc));
	while (!s->done && !r->syntax_error) {
		yaml_event_t ev;
		if (!next_event(r, &ev))
			break;
		if (ev.type == YAML_STREAM_END_EVENT)
			s->done = true;
		else if (ev.type == YAML_DOCUMENT_START_EVENT)
			read_document(r, &ev, s->index++, doc);
		yaml_event_delete(&ev);
		if (doc->root)
			return 1;
	}
	return 0;
}

size_t yaml_stream_errors(const struct yaml_stream *s)
{
	return s->r.errors;
}

void yaml_stream_close(struct yaml_stream *s)
{
	if (!s)
		return;
	yaml_parser_delete(&s->r.parser);
	free(s->r.anchors);
	free(s->r.slots);
	free(s);
}

int yaml_parse(struct arena *a, const char *file, const char *text, size_t len,
	       const struct yaml_limits *limits, struct doclist *out, struct diags *d)
{
	struct yaml_stream *s = yaml_stream_open(a, file, text, len, limits, d);
	if (!s)
		return -1;
	struct doclist mine = { 0 };
	struct document doc;
	while (yaml_stream_next(s, a, &doc))
		doclist_push(a, &mine, &doc);
	size_t errors = yaml_stream_errors(s);
	yaml_stream_close(s);
	if (errors)
		return -1;
	for (size_t i = 0; i < mine.n; i++)
		doclist_push(a, out, &mine.v[i]);
	return 0;
}

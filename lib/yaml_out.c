/* yaml_out.c -- document trees to YAML text through libyaml's emitter. */
#include "yaml_out.h"
#include "buf.h"
#include "doc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

static int write_to_buf(void *data, unsigned char *bytes, size_t size)
{
	return buf_add(data, bytes, size) == 0;
}

static bool has_newline(const char *s, size_t len)
{
	return memchr(s, '\n', len) != NULL;
}

/* Block literals cannot carry trailing spaces on a line or tabs/control
 * characters faithfully in every reader; such strings stay double-quoted. */
static bool literal_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' || (c < 0x20 && c != '\n' && c != '\t'))
			return false;
		if (c == ' ' && (i + 1 == len || s[i + 1] == '\n'))
			return false;
	}
	/* A leading space on the first line would need an indentation indicator. */
	return len > 0 && s[0] != ' ' && s[0] != '\n';
}

static yaml_scalar_style_t string_style(const struct node *n)
{
	const char *s = n->u.sc.s;
	size_t len = n->u.sc.len;
	if (has_newline(s, len))
		return literal_ok(s, len) ? YAML_LITERAL_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (scalar_is_ambiguous(s, len))
		return YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	/* Plain when libyaml finds it safe; it falls back to quotes by itself. */
	return YAML_ANY_SCALAR_STYLE;
}

/* Normal form of a typed scalar: decimal integers, true/false, null. */
static const char *typed_text(const struct node *n, char *tmp, size_t cap, size_t *len)
{
	int64_t v;
	bool b;
	switch (n->u.sc.type) {
	case SCALAR_INT:
		if (scalar_parse_int(n->u.sc.s, n->u.sc.len, &v)) {
			*len = (size_t)snprintf(tmp, cap, "%" PRId64, v);
			return tmp;
		}
		break;
	case SCALAR_BOOL:
		if (node_get_bool(n, &b)) {
			*len = b ? 4 : 5;
			return b ? "true" : "false";
		}
		break;
	case SCALAR_NULL:
		*len = 4;
		return "null";
	default:
		break;
	}
	*len = n->u.sc.len;
	return n->u.sc.s;
}

static int emit_node(yaml_emitter_t *em, const struct node *n);

static int emit_scalar(yaml_emitter_t *em, const struct node *n)
{
	yaml_event_t ev;
	char tmp[32];
	size_t len;
	const char *text;
	yaml_scalar_style_t style;
	int plain_implicit = 1, quoted_implicit = 1;
	if (n->u.sc.type == SCALAR_STR) {
		text = n->u.sc.s;
		len = n->u.sc.len;
		style = string_style(n);
	} else {
		text = typed_text(n, tmp, sizeof(tmp), &len);
		style = YAML_PLAIN_SCALAR_STYLE;
	}
	const yaml_char_t *tag = (const yaml_char_t *)n->tag;
	if (tag)
		plain_implicit = quoted_implicit = 0;
	if (!yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)tag, (yaml_char_t *)text,
					  (int)len, plain_implicit, quoted_implicit, style))
		return -1;
	return yaml_emitter_emit(em, &ev) ? 0 : -1;
}

static int emit_map(yaml_emitter_t *em, const struct node *n)
{
	yaml_event_t ev;
	if (!yaml_mapping_start_event_initialize(&ev, NULL, (yaml_char_t *)n->tag, n->tag == NULL,
						 YAML_BLOCK_MAPPING_STYLE) ||
	    !yaml_emitter_emit(em, &ev))
		return -1;
	for (size_t i = 0; i < n->u.map.n; i++) {
		const char *k = n->u.map.v[i].key;
		size_t klen = strlen(k);
		yaml_scalar_style_t ks = scalar_is_ambiguous(k, klen) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
								      : YAML_ANY_SCALAR_STYLE;
		if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)k, (int)klen, 1, 1, ks) ||
		    !yaml_emitter_emit(em, &ev))
			return -1;
		if (emit_node(em, n->u.map.v[i].val) < 0)
			return -1;
	}
	if (!yaml_mapping_end_event_initialize(&ev))
		return -1;
	return yaml_emitter_emit(em, &ev) ? 0 : -1;
}

static int emit_seq(yaml_emitter_t *em, const struct node *n)
{
	yaml_event_t ev;
	if (!yaml_sequence_start_event_initialize(&ev, NULL, (yaml_char_t *)n->tag, n->tag == NULL,
						  YAML_BLOCK_SEQUENCE_STYLE) ||
	    !yaml_emitter_emit(em, &ev))
		return -1;
	for (size_t i = 0; i < n->u.seq.n; i++)
		if (emit_node(em, n->u.seq.v[i]) < 0)
			return -1;
	if (!yaml_sequence_end_event_initialize(&ev))
		return -1;
	return yaml_emitter_emit(em, &ev) ? 0 : -1;
}

static int emit_node(yaml_emitter_t *em, const struct node *n)
{
	if (!n) {
		yaml_event_t ev;
		if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)"null", 4, 1, 1,
						  YAML_PLAIN_SCALAR_STYLE))
			return -1;
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	}
	switch (n->kind) {
	case NODE_SCALAR:
		return emit_scalar(em, n);
	case NODE_MAP:
		return emit_map(em, n);
	case NODE_SEQ:
		return emit_seq(em, n);
	}
	return -1;
}

int yaml_emit(struct buf *out, const struct node *const *roots, size_t n)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int rc = -1;
	if (!yaml_emitter_initialize(&em))
		return -1;
	yaml_emitter_set_output(&em, write_to_buf, out);
	yaml_emitter_set_indent(&em, 2);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_break(&em, YAML_LN_BREAK);
	if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || !yaml_emitter_emit(&em, &ev))
		goto out;
	for (size_t i = 0; i < n; i++) {
		/* Implicit start for the first document, `---` for the others. */
		if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, i == 0) ||
		    !yaml_emitter_emit(&em, &ev))
			goto out;
		if (emit_node(&em, roots[i]) < 0)
			goto out;
		if (!yaml_document_end_event_initialize(&ev, 1) || !yaml_emitter_emit(&em, &ev))
			goto out;
	}
	if (!yaml_stream_end_event_initialize(&ev) || !yaml_emitter_emit(&em, &ev))
		goto out;
	rc = yaml_emitter_flush(&em) ? 0 : -1;
out:
	yaml_emitter_delete(&em);
	return rc;
}

int yaml_emit_one(struct buf *out, const struct node *root)
{
	return yaml_emit(out, &root, 1);
}

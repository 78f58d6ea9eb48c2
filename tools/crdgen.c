/* crdgen.c -- compile CRD schemas into C tables (struct sch, rules/schema.h).
 *
 * usage: crdgen CRD.yaml... > crds.c
 *
 * Each file's CustomResourceDefinitions go through crd_build() (the same code
 * tests use at run time), so an unsupported schema keyword or pattern fails
 * the build here.  Identical subschemas (the CRD repeats core types such as
 * env, volumes and probes many times, and status.applied repeats spec) are
 * emitted once.  Descriptions never reach the output.
 */
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "doc.h"
#include "schema.h"
#include "yaml_in.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- interning: one id per distinct subschema ---- */

struct entry {
	uint64_t hash;
	const char *key;
	size_t id;
};

struct interner {
	struct arena *a;
	struct entry *v;
	size_t cap, n;
	struct buf out; /* the definitions, children first */
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void grow_table(struct interner *in)
{
	size_t cap = in->cap ? in->cap * 2 : 1024;
	struct entry *v = xcalloc(cap, sizeof(*v));
	for (size_t i = 0; i < in->cap; i++) {
		if (!in->v[i].key)
			continue;
		size_t j = in->v[i].hash & (cap - 1);
		while (v[j].key)
			j = (j + 1) & (cap - 1);
		v[j] = in->v[i];
	}
	free(in->v);
	in->v = v;
	in->cap = cap;
}

/* The id for `key`, or SIZE_MAX after reserving `id` for it. */
static size_t intern(struct interner *in, const char *key, size_t id)
{
	if (2 * (in->n + 1) > in->cap)
		grow_table(in);
	uint64_t h = fnv1a(key);
	size_t j = h & (in->cap - 1);
	for (; in->v[j].key; j = (j + 1) & (in->cap - 1))
		if (in->v[j].hash == h && !strcmp(in->v[j].key, key))
			return in->v[j].id;
	in->v[j].hash = h;
	in->v[j].key = arena_strdup(in->a, key);
	in->v[j].id = id;
	in->n++;
	return SIZE_MAX;
}

/* ---- C output helpers ---- */

static void c_string(struct buf *b, const char *s)
{
	if (!s) {
		buf_adds(b, "NULL");
		return;
	}
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f || *p == '?') /* '?' avoids trigraphs */
			buf_addf(b, "\\%03o", *p);
		else
			buf_addc(b, (char)*p);
	}
	buf_addc(b, '"');
}

static void c_string_array(struct buf *b, const char *prefix, size_t id, const char *const *v, size_t n)
{
	if (!n)
		return;
	buf_addf(b, "static const char *const %s%zu[] = {", prefix, id);
	for (size_t i = 0; i < n; i++) {
		buf_adds(b, i ? ", " : " ");
		c_string(b, v[i]);
	}
	buf_adds(b, " };\n");
}

static void c_ref(struct buf *b, const char *prefix, size_t id, size_t n)
{
	if (n)
		buf_addf(b, "%s%zu", prefix, id);
	else
		buf_adds(b, "NULL");
}

static size_t emit_sch(struct interner *in, const struct sch *s);

/* Everything that makes two subschemas the same, children by id. */
static void key_of(struct buf *k, const struct sch *s, const size_t *prop_ids, size_t items, size_t addl)
{
	buf_addf(k, "%u|%u|%d|%d|%.17g|%.17g|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|",
		 s->types, s->flags, (int)s->format, (int)s->list_type, s->minimum, s->maximum, s->min_length,
		 s->max_length, s->min_items, s->max_items, s->min_props, s->max_props);
	c_string(k, s->pattern);
	for (size_t i = 0; i < s->nprops; i++) {
		buf_adds(k, "|p");
		c_string(k, s->props[i].name);
		buf_addf(k, "=%zu", prop_ids[i]);
	}
	for (size_t i = 0; i < s->nrequired; i++) {
		buf_adds(k, "|r");
		c_string(k, s->required[i]);
	}
	for (size_t i = 0; i < s->nenums; i++) {
		buf_addf(k, "|e%u", s->enums[i].type);
		c_string(k, s->enums[i].text);
	}
	for (size_t i = 0; i < s->nmap_keys; i++) {
		buf_adds(k, "|k");
		c_string(k, s->map_keys[i]);
	}
	for (size_t i = 0; i < s->nrules; i++) {
		buf_adds(k, "|v");
		c_string(k, s->rules[i].rule);
		c_string(k, s->rules[i].message);
	}
	buf_addf(k, "|i%zu|a%zu", items, addl);
}

static void emit_tables(struct buf *b, const struct sch *s, size_t id, const size_t *prop_ids)
{
	if (s->nprops) {
		buf_addf(b, "static const struct sch_prop P%zu[] = {\n", id);
		for (size_t i = 0; i < s->nprops; i++) {
			buf_adds(b, "\t{ ");
			c_string(b, s->props[i].name);
			buf_addf(b, ", &S%zu },\n", prop_ids[i]);
		}
		buf_adds(b, "};\n");
	}
	c_string_array(b, "R", id, s->required, s->nrequired);
	c_string_array(b, "K", id, s->map_keys, s->nmap_keys);
	if (s->nenums) {
		buf_addf(b, "static const struct sch_enum E%zu[] = {", id);
		for (size_t i = 0; i < s->nenums; i++) {
			buf_adds(b, i ? ", { " : " { ");
			c_string(b, s->enums[i].text);
			buf_addf(b, ", %u }", s->enums[i].type);
		}
		buf_adds(b, " };\n");
	}
	if (s->nrules) {
		buf_addf(b, "static const struct sch_rule V%zu[] = {\n", id);
		for (size_t i = 0; i < s->nrules; i++) {
			buf_adds(b, "\t{ ");
			c_string(b, s->rules[i].rule);
			buf_adds(b, ", ");
			c_string(b, s->rules[i].message);
			buf_adds(b, " },\n");
		}
		buf_adds(b, "};\n");
	}
}

static void emit_struct(struct buf *b, const struct sch *s, size_t id, size_t items, size_t addl)
{
	buf_addf(b, "static const struct sch S%zu = {\n\t.types = %uu, .flags = %uu, .format = %d, .list_type = %d,\n",
		 id, s->types, s->flags, (int)s->format, (int)s->list_type);
	buf_addf(b, "\t.minimum = %.17g, .maximum = %.17g,\n", s->minimum, s->maximum);
	buf_addf(b, "\t.min_length = %" PRId64 ", .max_length = %" PRId64 ", .min_items = %" PRId64
		 ", .max_items = %" PRId64 ", .min_props = %" PRId64 ", .max_props = %" PRId64 ",\n",
		 s->min_length, s->max_length, s->min_items, s->max_items, s->min_props, s->max_props);
	buf_adds(b, "\t.pattern = ");
	c_string(b, s->pattern);
	buf_adds(b, ",\n\t.props = ");
	c_ref(b, "P", id, s->nprops);
	buf_addf(b, ", .nprops = %zu, .required = ", s->nprops);
	c_ref(b, "R", id, s->nrequired);
	buf_addf(b, ", .nrequired = %zu, .enums = ", s->nrequired);
	c_ref(b, "E", id, s->nenums);
	buf_addf(b, ", .nenums = %zu,\n", s->nenums);
	if (items != SIZE_MAX)
		buf_addf(b, "\t.items = &S%zu,\n", items);
	if (addl != SIZE_MAX)
		buf_addf(b, "\t.addl = &S%zu,\n", addl);
	buf_adds(b, "\t.map_keys = ");
	c_ref(b, "K", id, s->nmap_keys);
	buf_addf(b, ", .nmap_keys = %zu, .rules = ", s->nmap_keys);
	c_ref(b, "V", id, s->nrules);
	buf_addf(b, ", .nrules = %zu,\n};\n", s->nrules);
}

/* Emit s (children first) unless an identical subschema exists; its id. */
static size_t emit_sch(struct interner *in, const struct sch *s)
{
	size_t *prop_ids = xcalloc(s->nprops + 1, sizeof(*prop_ids));
	for (size_t i = 0; i < s->nprops; i++)
		prop_ids[i] = emit_sch(in, s->props[i].s);
	size_t items = s->items ? emit_sch(in, s->items) : SIZE_MAX;
	size_t addl = s->addl ? emit_sch(in, s->addl) : SIZE_MAX;
	struct buf key = BUF_INIT;
	key_of(&key, s, prop_ids, items, addl);
	size_t fresh = in->n;
	size_t id = intern(in, key.data, fresh);
	buf_release(&key);
	if (id == SIZE_MAX) {
		id = fresh;
		emit_tables(&in->out, s, id, prop_ids);
		emit_struct(&in->out, s, id, items, addl);
	}
	free(prop_ids);
	return id;
}

static void emit_crd(struct interner *in, struct buf *tail, const struct crd_def *c, size_t n)
{
	size_t *roots = xcalloc(c->nversions + 1, sizeof(*roots));
	for (size_t i = 0; i < c->nversions; i++)
		roots[i] = emit_sch(in, c->versions[i].schema);
	buf_addf(tail, "static const struct crd_version CRDV%zu[] = {\n", n);
	for (size_t i = 0; i < c->nversions; i++) {
		const struct crd_version *v = &c->versions[i];
		buf_adds(tail, "\t{ ");
		c_string(tail, v->name);
		buf_addf(tail, ", %s, %s, %s, ", v->served ? "true" : "false", v->deprecated ? "true" : "false",
			 v->status_subresource ? "true" : "false");
		c_string(tail, v->deprecation_warning);
		buf_addf(tail, ", &S%zu, ", roots[i]);
		c_string(tail, v->spec_replicas_path);
		buf_adds(tail, " },\n");
	}
	buf_addf(tail, "};\nstatic const struct crd_def CRD%zu = { ", n);
	c_string(tail, c->name);
	buf_adds(tail, ", ");
	c_string(tail, c->group);
	buf_adds(tail, ", ");
	c_string(tail, c->kind);
	buf_addf(tail, ", CRDV%zu, %zu };\n\n", n, c->nversions);
	free(roots);
}

static int load(struct arena *a, const char *path, struct doclist *docs, struct diags *d)
{
	struct buf text = BUF_INIT;
	if (buf_read_path(&text, path) < 0) {
		perror(path);
		buf_release(&text);
		return -1;
	}
	const char *copy = arena_strndup(a, text.data, text.len);
	int rc = yaml_parse(a, path, copy, text.len, NULL, docs, d);
	buf_release(&text);
	return rc;
}

int main(int argc, char **argv)
{
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct interner in = { &a, NULL, 0, 0, BUF_INIT };
	struct buf tail = BUF_INIT;
	size_t ncrds = 0;
	int rc = 0;
	for (int i = 1; i < argc && rc == 0; i++) {
		struct doclist docs = { 0 };
		if (load(&a, argv[i], &docs, &d) < 0) {
			rc = 1;
			break;
		}
		for (size_t j = 0; j < docs.n && rc == 0; j++) {
			const struct crd_def *c = crd_build(&a, docs.v[j].root, &d);
			if (!c)
				rc = 1;
			else
				emit_crd(&in, &tail, c, ncrds++);
		}
	}
	if (rc == 0) {
		printf("/* generated by tools/crdgen.c from data/crds/; do not edit */\n");
		printf("#include <stdbool.h>\n#include <stddef.h>\n#include \"schema.h\"\n\n");
		fputs(in.out.data, stdout);
		fputs(tail.data, stdout);
		printf("const struct crd_def *const crd_embedded[] = {\n");
		for (size_t i = 0; i < ncrds; i++)
			printf("\t&CRD%zu,\n", i);
		printf("\tNULL\n};\n");
		fprintf(stderr, "crdgen: %zu CRD(s), %zu distinct subschemas\n", ncrds, in.n);
	} else {
		diags_print(stderr, &d);
	}
	buf_release(&in.out);
	buf_release(&tail);
	free(in.v);
	arena_free(&a);
	return rc;
}

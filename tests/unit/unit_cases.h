/* unit_cases.h -- table-driven unit cases read from testdata/ files.
 *
 * A case file is a YAML stream: documents separated by `---` lines, each opening with
 * comment lines, of which those written `# key: value` (key in a-z and -) are the case's
 * settings, as in the golden cases of tests/golden.sh.  unit_cases_load() reads every file
 * matching a glob under FEAST_SOURCE_DIR, in name order, into one array for a criterion
 * ParameterizedTest: the array, its strings and its settings are allocated with cr_malloc
 * (criterion's shared memory, so forked tests see them) and freed by unit_cases_free, the
 * array's cleanup; unit_cases_read gives a test the same cases in malloc'd memory, freed
 * with unit_cases_release_all.  A case's text is its whole document, header comments included, so a
 * failing case can be pasted into `kubectl feast validate -f -` as it is.
 */
#ifndef FEAST_TEST_UNIT_CASES_H
#define FEAST_TEST_UNIT_CASES_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_CASE_MAX_KEYS 8

/* Parameters are made before any test runs, where cr_assert cannot report: say why and stop. */
#define UNIT_CASES_REQUIRE(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "unit cases: " __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

struct unit_case {
	char *where;                          /* file:line of the document's first line */
	char *text;                           /* the document */
	size_t nkeys;
	char *key[UNIT_CASE_MAX_KEYS], *val[UNIT_CASE_MAX_KEYS];
};

/* Parameters live in criterion's shared memory (cr_malloc), which a test itself cannot
 * allocate from: a test that reads cases (unit_cases_read) gets malloc'd ones. */
static bool unit_cases_shared;

static inline void *unit_cases_alloc(size_t n)
{
	return unit_cases_shared ? cr_malloc(n) : malloc(n);
}

static inline void unit_cases_release(void *p)
{
	if (unit_cases_shared)
		cr_free(p);
	else
		free(p);
}

static inline char *unit_case_strndup(const char *s, size_t n)
{
	char *p = unit_cases_alloc(n + 1);
	UNIT_CASES_REQUIRE(p, "out of memory");
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* The value of `# key: value` in the case's header, or NULL. */
static inline const char *unit_case_get(const struct unit_case *c, const char *key)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (!strcmp(c->key[i], key))
			return c->val[i];
	return NULL;
}

/* Read the `# key: value` lines at the top of c->text. */
static inline void unit_case_headers(struct unit_case *c)
{
	for (const char *p = c->text; *p == '#'; p = strchr(p, '\n') + 1) {
		const char *end = strchr(p, '\n'), *k = p + 2, *e = k;
		if (!end)
			break;
		while (e < end && ((*e >= 'a' && *e <= 'z') || *e == '-'))
			e++;
		if (p[1] != ' ' || e == k || e + 1 >= end || e[0] != ':' || e[1] != ' ')
			continue;
		UNIT_CASES_REQUIRE(c->nkeys < UNIT_CASE_MAX_KEYS, "%s: too many settings", c->where);
		c->key[c->nkeys] = unit_case_strndup(k, (size_t)(e - k));
		c->val[c->nkeys++] = unit_case_strndup(e + 2, (size_t)(end - e - 2));
	}
}

/* Append the documents of `text` (file `name`) to *v, which holds *n of *cap. */
static inline void unit_cases_split(const char *name, const char *text, struct unit_case **v, size_t *n, size_t *cap)
{
	unsigned line = 1, first = 1;
	const char *doc = text;
	for (const char *p = text;; line++) {
		const char *end = strchr(p, '\n');
		bool last = !end;
		bool sep = !last && end - p == 3 && !strncmp(p, "---", 3);
		if (sep || last) {
			if (*n == *cap) {
				/* cr_realloc does not take NULL: grow by hand */
				*cap = *cap ? 2 * *cap : 64;
				struct unit_case *grown = unit_cases_alloc(*cap * sizeof(**v));
				UNIT_CASES_REQUIRE(grown, "out of memory");
				if (*v) {
					memcpy(grown, *v, *n * sizeof(**v));
					unit_cases_release(*v);
				}
				*v = grown;
			}
			struct unit_case *c = &(*v)[(*n)++];
			memset(c, 0, sizeof(*c));
			c->text = unit_case_strndup(doc, (size_t)(p - doc) + (last ? strlen(p) : 0));
			char where[512];
			snprintf(where, sizeof(where), "%s:%u", name, first);
			c->where = unit_case_strndup(where, strlen(where));
			unit_case_headers(c);
		}
		if (last)
			break;
		p = end + 1;
		if (sep)
			doc = p, first = line + 1;
	}
}

/* Every document of the files matching `pattern` (relative to FEAST_SOURCE_DIR); *n gets
 * their number.  Stops the run if nothing matches. */
static inline struct unit_case *unit_cases_read(const char *pattern, size_t *n)
{
	const char *dir = getenv("FEAST_SOURCE_DIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", pattern);
	glob_t g;
	UNIT_CASES_REQUIRE(glob(path, 0, NULL, &g) == 0, "no case files match %s", path);
	struct unit_case *v = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "rb");
		UNIT_CASES_REQUIRE(f, "cannot read %s", g.gl_pathv[i]);
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		char chunk[4096];
		for (size_t got; (got = fread(chunk, 1, sizeof(chunk), f)) > 0;)
			fwrite(chunk, 1, got, m);
		fclose(m);
		fclose(f);
		const char *name = g.gl_pathv[i] + strlen(path) - strlen(pattern);
		unit_cases_split(name, text, &v, n, &cap);
		free(text);
	}
	globfree(&g);
	return v;
}

/* Free what unit_cases_read or unit_cases_load returned. */
static inline void unit_cases_release_all(struct unit_case *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < v[i].nkeys; k++) {
			unit_cases_release(v[i].key[k]);
			unit_cases_release(v[i].val[k]);
		}
		unit_cases_release(v[i].text);
		unit_cases_release(v[i].where);
	}
	unit_cases_release(v);
}

/* The parameter array's cleanup. */
static inline void unit_cases_free(struct criterion_test_params *p)
{
	unit_cases_shared = true;
	unit_cases_release_all(p->params, p->length);
	unit_cases_shared = false;
}

/* unit_cases_read for ParameterizedTestParameters: the cases in shared memory. */
static inline struct unit_case *unit_cases_load(const char *pattern, size_t *n)
{
	unit_cases_shared = true;
	struct unit_case *v = unit_cases_read(pattern, n);
	unit_cases_shared = false;
	return v;
}

/* The parameters of ParameterizedTest(struct unit_case *c, suite, test): every case of
 * the files matching `pattern`. */
#define UNIT_CASES_PARAMS(suite, test, pattern)                                      \
	ParameterizedTestParameters(suite, test)                                     \
	{                                                                            \
		size_t n_;                                                           \
		struct unit_case *v_ = unit_cases_load(pattern, &n_);                \
		return cr_make_param_array(struct unit_case, v_, n_, unit_cases_free); \
	}

#endif

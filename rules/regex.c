/* regex.c -- RE2-syntax patterns compiled to a Pike VM: linear-time matching. */
#include "regex.h"
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPEAT 1000     /* Go's limit for {n,m} */
#define MAX_INSTS 20000     /* after expanding counted repetition */
#define MAX_NESTING 200
#define RUNE_MAX 0x10FFFFu

enum op { OP_CHAR, OP_CLASS, OP_ANY, OP_BOL, OP_EOL, OP_SPLIT, OP_JMP, OP_MATCH };

struct inst {
	uint8_t op;
	uint32_t a, b; /* CHAR: a = rune; CLASS: a = class; SPLIT: a, b; JMP: a */
};

struct range {
	uint32_t lo, hi;
};

struct cls {
	uint32_t first, count;
	bool neg;
};

struct regex {
	struct inst *prog;
	size_t n;
	struct range *ranges;
	struct cls *classes;
};

/* ---- UTF-8 ---- */

/* Decode one code point; invalid bytes read as U+FFFD, one byte long. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *adv)
{
	unsigned c = s[0];
	size_t need = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
	*adv = 1;
	if (need == 0)
		return c;
	if (need == 9 || need >= len)
		return 0xFFFD;
	uint32_t r = c & (0x3Fu >> need);
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		r = (r << 6) | (s[i] & 0x3F);
	}
	*adv = need + 1;
	return r;
}

/* ---- parsing into a small AST ---- */

enum kind { N_EMPTY, N_LIT, N_CLASS, N_ANY, N_BOL, N_EOL, N_CAT, N_ALT, N_REP };

struct ast {
	enum kind k;
	uint32_t v;       /* rune or class index */
	int min, max;     /* N_REP; max -1 = unbounded */
	int first, next;  /* children list (CAT, ALT, REP), sibling link; -1 = none */
};

struct parser {
	const unsigned char *p, *end;
	struct ast *nodes;
	size_t n, cap;
	struct range *ranges;
	size_t nr, capr;
	struct cls *classes;
	size_t nc, capc;
	char *err;
	size_t errlen;
	bool failed;
	int depth;
};

static void fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct parser *ps, const char *fmt, ...)
{
	if (ps->failed)
		return;
	ps->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
}

static int new_node(struct parser *ps, enum kind k)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 32;
		ps->nodes = xrealloc(ps->nodes, ps->cap * sizeof(*ps->nodes));
	}
	struct ast *a = &ps->nodes[ps->n];
	memset(a, 0, sizeof(*a));
	a->k = k;
	a->first = a->next = -1;
	return (int)ps->n++;
}

static void add_range(struct parser *ps, uint32_t lo, uint32_t hi)
{
	if (ps->nr == ps->capr) {
		ps->capr = ps->capr ? ps->capr * 2 : 32;
		ps->ranges = xrealloc(ps->ranges, ps->capr * sizeof(*ps->ranges));
	}
	ps->ranges[ps->nr].lo = lo;
	ps->ranges[ps->nr].hi = hi;
	ps->nr++;
}

static uint32_t new_class(struct parser *ps, bool neg)
{
	if (ps->nc == ps->capc) {
		ps->capc = ps->capc ? ps->capc * 2 : 8;
		ps->classes = xrealloc(ps->classes, ps->capc * sizeof(*ps->classes));
	}
	ps->classes[ps->nc].first = (uint32_t)ps->nr;
	ps->classes[ps->nc].count = 0;
	ps->classes[ps->nc].neg = neg;
	return (uint32_t)ps->nc++;
}

static void close_class(struct parser *ps, uint32_t c)
{
	ps->classes[c].count = (uint32_t)ps->nr - ps->classes[c].first;
}

/* Append the ranges of a Perl class (\d \s \w, or their negations). */
static void add_perl_class(struct parser *ps, char which)
{
	static const struct range digit[] = { { '0', '9' } };
	static const struct range space[] = { { '\t', '\n' }, { '\f', '\r' }, { ' ', ' ' } };
	static const struct range word[] = { { '0', '9' }, { 'A', 'Z' }, { '_', '_' }, { 'a', 'z' } };
	const struct range *r;
	size_t n;
	switch (which | 0x20) {
	case 'd':
		r = digit, n = 1;
		break;
	case 's':
		r = space, n = 3;
		break;
	default:
		r = word, n = 4;
		break;
	}
	if (which >= 'a') {
		for (size_t i = 0; i < n; i++)
			add_range(ps, r[i].lo, r[i].hi);
		return;
	}
	uint32_t lo = 0; /* complement of a sorted, disjoint list */
	for (size_t i = 0; i < n; i++) {
		if (r[i].lo > lo)
			add_range(ps, lo, r[i].lo - 1);
		lo = r[i].hi + 1;
	}
	add_range(ps, lo, RUNE_MAX);
}

static bool at_end(const struct parser *ps)
{
	return ps->p >= ps->end;
}

static uint32_t next_rune(struct parser *ps)
{
	size_t adv;
	uint32_t r = utf8_next(ps->p, (size_t)(ps->end - ps->p), &adv);
	ps->p += adv;
	return r;
}

static bool is_punct(uint32_t c)
{
	return c < 0x80 && strchr("\\.+*?()|[]{}^$-/!\"#%&',:;<=>@_`~", (int)c) && c != 0;
}

/* An escape that stands for one character; false if it is not one. */
static bool simple_escape(uint32_t c, uint32_t *out)
{
	switch (c) {
	case 'n': *out = '\n'; return true;
	case 't': *out = '\t'; return true;
	case 'r': *out = '\r'; return true;
	case 'f': *out = '\f'; return true;
	case 'v': *out = '\v'; return true;
	case 'a': *out = '\a'; return true;
	}
	if (is_punct(c)) {
		*out = c;
		return true;
	}
	return false;
}

static bool is_perl_class(uint32_t c)
{
	return c == 'd' || c == 'D' || c == 's' || c == 'S' || c == 'w' || c == 'W';
}

/* One class member: a rune (returned in *lo, true) or a Perl class (added, false). */
static bool class_atom(struct parser *ps, uint32_t *lo)
{
	uint32_t c = next_rune(ps);
	if (c != '\\') {
		*lo = c;
		return true;
	}
	if (at_end(ps)) {
		fail(ps, "trailing backslash");
		return false;
	}
	c = next_rune(ps);
	if (is_perl_class(c)) {
		add_perl_class(ps, (char)c);
		return false;
	}
	if (!simple_escape(c, lo))
		fail(ps, "unsupported escape \\%c in a class", c < 0x80 ? (char)c : '?');
	return !ps->failed;
}

static int parse_class(struct parser *ps)
{
	bool neg = !at_end(ps) && *ps->p == '^';
	if (neg)
		ps->p++;
	uint32_t c = new_class(ps, neg);
	bool first = true;
	while (!ps->failed) {
		if (at_end(ps)) {
			fail(ps, "missing closing ]");
			break;
		}
		if (*ps->p == ']' && !first) {
			ps->p++;
			break;
		}
		if (*ps->p == '[' && ps->p + 1 < ps->end && ps->p[1] == ':') {
			fail(ps, "POSIX classes [:name:] are not supported");
			break;
		}
		first = false;
		uint32_t lo, hi;
		if (!class_atom(ps, &lo))
			continue;
		hi = lo;
		if (ps->end - ps->p >= 2 && *ps->p == '-' && ps->p[1] != ']') {
			ps->p++;
			if (!class_atom(ps, &hi)) {
				fail(ps, "bad class range");
				break;
			}
			if (hi < lo) {
				fail(ps, "bad class range");
				break;
			}
		}
		add_range(ps, lo, hi);
	}
	close_class(ps, c);
	int n = new_node(ps, N_CLASS);
	ps->nodes[n].v = c;
	return n;
}

static int parse_alt(struct parser *ps);

static int perl_class_node(struct parser *ps, char which)
{
	uint32_t c = new_class(ps, false);
	add_perl_class(ps, which);
	close_class(ps, c);
	int n = new_node(ps, N_CLASS);
	ps->nodes[n].v = c;
	return n;
}

static int parse_escape(struct parser *ps)
{
	if (at_end(ps)) {
		fail(ps, "trailing backslash");
		return -1;
	}
	uint32_t c = next_rune(ps), lit;
	if (is_perl_class(c))
		return perl_class_node(ps, (char)c);
	if (c == 'A')
		return new_node(ps, N_BOL);
	if (c == 'z')
		return new_node(ps, N_EOL);
	if (!simple_escape(c, &lit)) {
		fail(ps, "unsupported escape \\%c", c < 0x80 ? (char)c : '?');
		return -1;
	}
	int n = new_node(ps, N_LIT);
	ps->nodes[n].v = lit;
	return n;
}

static int parse_group(struct parser *ps)
{
	if (ps->end - ps->p >= 2 && ps->p[0] == '?' && ps->p[1] == ':')
		ps->p += 2;
	else if (!at_end(ps) && *ps->p == '?') {
		fail(ps, "group flags and named groups are not supported");
		return -1;
	}
	if (++ps->depth > MAX_NESTING) {
		fail(ps, "groups nested too deeply");
		return -1;
	}
	int n = parse_alt(ps);
	ps->depth--;
	if (at_end(ps) || *ps->p != ')') {
		fail(ps, "missing closing )");
		return -1;
	}
	ps->p++;
	return n;
}

static int parse_atom(struct parser *ps)
{
	uint32_t c = next_rune(ps);
	switch (c) {
	case '(':
		return parse_group(ps);
	case '[':
		return parse_class(ps);
	case '.':
		return new_node(ps, N_ANY);
	case '^':
		return new_node(ps, N_BOL);
	case '$':
		return new_node(ps, N_EOL);
	case '\\':
		return parse_escape(ps);
	case '*': case '+': case '?':
		fail(ps, "missing argument to repetition operator %c", (char)c);
		return -1;
	}
	int n = new_node(ps, N_LIT);
	ps->nodes[n].v = c;
	return n;
}

/* Digits of a repeat count; false if there are none.  Counts over the limit
 * are an error, as in Go. */
static bool parse_int(struct parser *ps, int *out)
{
	int v = 0;
	bool any = false;
	while (!at_end(ps) && *ps->p >= '0' && *ps->p <= '9') {
		if (v <= MAX_REPEAT)
			v = v * 10 + (*ps->p - '0');
		ps->p++;
		any = true;
	}
	*out = v;
	return any;
}

/* After `{`: n}, n,} or n,m}.  Returns false (and rewinds) when it is not a
 * repetition, as Go then reads `{` as a literal. */
static bool parse_braces(struct parser *ps, int *min, int *max)
{
	const unsigned char *save = ps->p;
	if (!parse_int(ps, min))
		goto literal;
	*max = *min;
	if (!at_end(ps) && *ps->p == ',') {
		ps->p++;
		*max = -1;
		if (!at_end(ps) && *ps->p != '}' && !parse_int(ps, max))
			goto literal;
	}
	if (at_end(ps) || *ps->p != '}')
		goto literal;
	ps->p++;
	if (*min > MAX_REPEAT || *max > MAX_REPEAT || (*max != -1 && *max < *min)) {
		fail(ps, "invalid repeat count");
		return false;
	}
	return true;
literal:
	ps->p = save;
	return false;
}

static bool parse_quantifier(struct parser *ps, int *min, int *max)
{
	if (at_end(ps))
		return false;
	switch (*ps->p) {
	case '*':
		ps->p++, *min = 0, *max = -1;
		return true;
	case '+':
		ps->p++, *min = 1, *max = -1;
		return true;
	case '?':
		ps->p++, *min = 0, *max = 1;
		return true;
	case '{':
		ps->p++;
		if (parse_braces(ps, min, max))
			return true;
		ps->p--;
		return false;
	}
	return false;
}

static int parse_repeat(struct parser *ps)
{
	bool brace = !at_end(ps) && *ps->p == '{';
	int atom;
	if (brace) { /* a `{` that does not start a repetition is a literal */
		ps->p++;
		atom = new_node(ps, N_LIT);
		ps->nodes[atom].v = '{';
	} else {
		atom = parse_atom(ps);
	}
	int min, max;
	if (ps->failed || !parse_quantifier(ps, &min, &max))
		return atom;
	if (!at_end(ps) && *ps->p == '?')
		ps->p++; /* lazy: the same answer for a yes/no match */
	int dummy_min, dummy_max;
	const unsigned char *save = ps->p;
	if (parse_quantifier(ps, &dummy_min, &dummy_max)) {
		ps->p = save;
		fail(ps, "invalid nested repetition operator");
		return -1;
	}
	int n = new_node(ps, N_REP);
	ps->nodes[n].min = min;
	ps->nodes[n].max = max;
	ps->nodes[n].first = atom;
	return n;
}

static int parse_concat(struct parser *ps)
{
	int cat = new_node(ps, N_CAT), last = -1;
	while (!ps->failed && !at_end(ps) && *ps->p != '|' && *ps->p != ')') {
		int n = parse_repeat(ps);
		if (n < 0)
			break;
		if (last < 0)
			ps->nodes[cat].first = n;
		else
			ps->nodes[last].next = n;
		last = n;
	}
	return cat;
}

static int parse_alt(struct parser *ps)
{
	int first = parse_concat(ps);
	if (ps->failed || at_end(ps) || *ps->p != '|')
		return first;
	int alt = new_node(ps, N_ALT), last = first;
	ps->nodes[alt].first = first;
	while (!ps->failed && !at_end(ps) && *ps->p == '|') {
		ps->p++;
		int n = parse_concat(ps);
		ps->nodes[last].next = n;
		last = n;
	}
	return alt;
}

/* ---- compiling the AST to VM instructions ---- */

struct compiler {
	struct parser *ps;
	struct inst *prog;
	size_t n, cap;
};

static size_t emit(struct compiler *c, enum op op, uint32_t a, uint32_t b)
{
	if (c->n >= MAX_INSTS) {
		fail(c->ps, "pattern too large");
		return c->n;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->prog = xrealloc(c->prog, c->cap * sizeof(*c->prog));
	}
	c->prog[c->n].op = (uint8_t)op;
	c->prog[c->n].a = a;
	c->prog[c->n].b = b;
	return c->n++;
}

static void compile(struct compiler *c, int node);

static void compile_alt(struct compiler *c, const struct ast *a)
{
	size_t jumps[256], nj = 0;
	for (int ch = a->first; ch >= 0 && !c->ps->failed; ch = c->ps->nodes[ch].next) {
		if (c->ps->nodes[ch].next < 0) {
			compile(c, ch);
			break;
		}
		size_t split = emit(c, OP_SPLIT, (uint32_t)c->n + 1, 0);
		compile(c, ch);
		if (nj == sizeof(jumps) / sizeof(*jumps)) {
			fail(c->ps, "too many alternatives");
			return;
		}
		jumps[nj++] = emit(c, OP_JMP, 0, 0);
		if (!c->ps->failed)
			c->prog[split].b = (uint32_t)c->n;
	}
	for (size_t i = 0; i < nj && !c->ps->failed; i++)
		c->prog[jumps[i]].a = (uint32_t)c->n;
}

static void compile_repeat(struct compiler *c, const struct ast *a)
{
	for (int i = 0; i < a->min && !c->ps->failed; i++)
		compile(c, a->first);
	if (a->max < 0) {
		size_t loop = emit(c, OP_SPLIT, (uint32_t)c->n + 1, 0);
		compile(c, a->first);
		emit(c, OP_JMP, (uint32_t)loop, 0);
		if (!c->ps->failed)
			c->prog[loop].b = (uint32_t)c->n;
		return;
	}
	for (int i = a->min; i < a->max && !c->ps->failed; i++) {
		size_t split = emit(c, OP_SPLIT, (uint32_t)c->n + 1, 0);
		compile(c, a->first);
		if (!c->ps->failed)
			c->prog[split].b = (uint32_t)c->n;
	}
}

static void compile(struct compiler *c, int node)
{
	if (c->ps->failed)
		return;
	const struct ast *a = &c->ps->nodes[node];
	switch (a->k) {
	case N_EMPTY:
		break;
	case N_LIT:
		emit(c, OP_CHAR, a->v, 0);
		break;
	case N_CLASS:
		emit(c, OP_CLASS, a->v, 0);
		break;
	case N_ANY:
		emit(c, OP_ANY, 0, 0);
		break;
	case N_BOL:
		emit(c, OP_BOL, 0, 0);
		break;
	case N_EOL:
		emit(c, OP_EOL, 0, 0);
		break;
	case N_CAT:
		for (int ch = a->first; ch >= 0; ch = c->ps->nodes[ch].next)
			compile(c, ch);
		break;
	case N_ALT:
		compile_alt(c, a);
		break;
	case N_REP:
		compile_repeat(c, a);
		break;
	}
}

struct regex *regex_compile(const char *pattern, char *err, size_t errlen)
{
	struct parser ps;
	memset(&ps, 0, sizeof(ps));
	ps.p = (const unsigned char *)pattern;
	ps.end = ps.p + strlen(pattern);
	ps.err = err;
	ps.errlen = errlen;
	int root = parse_alt(&ps);
	if (!ps.failed && !at_end(&ps))
		fail(&ps, "unexpected )");
	struct compiler c = { &ps, NULL, 0, 0 };
	if (!ps.failed) {
		compile(&c, root);
		emit(&c, OP_MATCH, 0, 0);
	}
	free(ps.nodes);
	if (ps.failed) {
		free(c.prog);
		free(ps.ranges);
		free(ps.classes);
		return NULL;
	}
	struct regex *re = xcalloc(1, sizeof(*re));
	re->prog = c.prog;
	re->n = c.n;
	re->ranges = ps.ranges;
	re->classes = ps.classes;
	return re;
}

void regex_free(struct regex *re)
{
	if (!re)
		return;
	free(re->prog);
	free(re->ranges);
	free(re->classes);
	free(re);
}

/* ---- matching: a Pike VM without captures ---- */

struct vm {
	const struct regex *re;
	uint32_t *mark;   /* generation in which a pc was last added */
	uint32_t *stack;
	uint32_t gen;
	size_t len;
	bool matched;
};

struct list {
	uint32_t *pc;
	size_t n;
};

/* Follow jumps, splits and assertions from pc at text offset pos. */
static void add_thread(struct vm *vm, struct list *l, uint32_t pc, size_t pos)
{
	size_t sp = 0;
	vm->stack[sp++] = pc;
	while (sp) {
		pc = vm->stack[--sp];
		if (vm->mark[pc] == vm->gen)
			continue;
		vm->mark[pc] = vm->gen;
		const struct inst *in = &vm->re->prog[pc];
		switch (in->op) {
		case OP_JMP:
			vm->stack[sp++] = in->a;
			break;
		case OP_SPLIT:
			vm->stack[sp++] = in->b;
			vm->stack[sp++] = in->a;
			break;
		case OP_BOL:
			if (pos == 0)
				vm->stack[sp++] = pc + 1;
			break;
		case OP_EOL:
			if (pos == vm->len)
				vm->stack[sp++] = pc + 1;
			break;
		case OP_MATCH:
			vm->matched = true;
			break;
		default:
			l->pc[l->n++] = pc;
		}
	}
}

static bool class_has(const struct regex *re, uint32_t c, uint32_t r)
{
	const struct cls *k = &re->classes[c];
	bool in = false;
	for (uint32_t i = 0; i < k->count && !in; i++)
		in = r >= re->ranges[k->first + i].lo && r <= re->ranges[k->first + i].hi;
	return in != k->neg;
}

static bool step_ok(const struct regex *re, const struct inst *in, uint32_t r)
{
	switch (in->op) {
	case OP_CHAR:
		return r == in->a;
	case OP_CLASS:
		return class_has(re, in->a, r);
	case OP_ANY:
		return r != '\n';
	}
	return false;
}

bool regex_search(const struct regex *re, const char *text, size_t len)
{
	size_t n = re->n;
	uint32_t *mem = xcalloc(5 * n + 2, sizeof(uint32_t));
	struct vm vm = { re, mem, mem + n, 1, len, false };
	struct list cl = { mem + 3 * n + 2, 0 }, nl = { mem + 4 * n + 2, 0 };
	const unsigned char *s = (const unsigned char *)text;
	size_t pos = 0;
	for (;;) {
		add_thread(&vm, &cl, 0, pos); /* unanchored: a match may start anywhere */
		if (vm.matched || pos >= len)
			break;
		size_t adv;
		uint32_t r = utf8_next(s + pos, len - pos, &adv);
		vm.gen++;
		nl.n = 0;
		for (size_t i = 0; i < cl.n && !vm.matched; i++) {
			const struct inst *in = &re->prog[cl.pc[i]];
			if (step_ok(re, in, r))
				add_thread(&vm, &nl, cl.pc[i] + 1, pos + adv);
		}
		struct list t = cl;
		cl = nl;
		nl = t;
		pos += adv;
	}
	free(mem);
	return vm.matched;
}

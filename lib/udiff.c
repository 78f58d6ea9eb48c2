/* udiff.c -- Myers line diff with GNU-style unified output. */
#include "udiff.h"
#include "arena.h"
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EDIT_DISTANCE 4000

struct line {
	const char *s;
	size_t len; /* without the newline */
	uint64_t hash;
	int eol;    /* the line ends with '\n' */
};

struct lines {
	struct line *v;
	size_t n;
};

enum op { OP_EQ, OP_DEL, OP_INS };

struct edit {
	enum op op;
	size_t a, b; /* line index in a (EQ, DEL) and in b (EQ, INS) */
};

static uint64_t hash_line(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void split_lines(const char *s, size_t len, struct lines *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	n += len && s[len - 1] != '\n';
	out->v = xcalloc(n ? n : 1, sizeof(*out->v));
	out->n = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len && start == len)
			break;
		if (i == len || s[i] == '\n') {
			struct line *l = &out->v[out->n++];
			l->s = s + start;
			l->len = i - start;
			l->hash = hash_line(l->s, l->len);
			l->eol = i < len;
			start = i + 1;
		}
	}
}

static int same_line(const struct line *x, const struct line *y)
{
	return x->hash == y->hash && x->len == y->len && x->eol == y->eol &&
	       memcmp(x->s, y->s, x->len) == 0;
}

struct script {
	struct edit *v;
	size_t n, cap;
};

static void push_edit(struct script *s, enum op op, size_t a, size_t b)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = (struct edit){ op, a, b };
}

/*
 * Myers' greedy algorithm on a[lo_a, hi_a) and b[lo_b, hi_b), keeping the
 * frontier of every step so the path can be walked back.  Returns -1 when
 * the distance passes the budget.  Edits are appended in reverse.
 */
static int myers(const struct lines *A, const struct lines *B, size_t lo_a, size_t hi_a,
		 size_t lo_b, size_t hi_b, struct script *rev)
{
	long n = (long)(hi_a - lo_a), m = (long)(hi_b - lo_b);
	long max = n + m;
	if (max > 2 * MAX_EDIT_DISTANCE)
		max = 2 * MAX_EDIT_DISTANCE;
	long width = 2 * max + 1, off = max;
	long *v = xcalloc((size_t)width, sizeof(long));
	long **trace = xcalloc((size_t)max + 1, sizeof(long *));
	long d, found = -1;
	for (d = 0; d <= max && found < 0; d++) {
		for (long k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1]
											       : v[off + k - 1] + 1;
			long y = x - k;
			while (x < n && y < m && same_line(&A->v[lo_a + (size_t)x], &B->v[lo_b + (size_t)y]))
				x++, y++;
			v[off + k] = x;
			if (x >= n && y >= m) {
				found = d;
				break;
			}
		}
		trace[d] = xmalloc((size_t)width * sizeof(long));
		memcpy(trace[d], v, (size_t)width * sizeof(long));
	}
	int rc = found < 0 ? -1 : 0;
	if (found >= 0) {
		long x = n, y = m;
		for (d = found; d > 0; d--) {
			const long *pv = trace[d - 1];
			long k = x - y;
			long pk = (k == -d || (k != d && pv[off + k - 1] < pv[off + k + 1])) ? k + 1 : k - 1;
			long px = pv[off + pk], py = px - pk;
			for (; x > px && y > py; x--, y--)
				push_edit(rev, OP_EQ, lo_a + (size_t)x - 1, lo_b + (size_t)y - 1);
			if (x == px)
				push_edit(rev, OP_INS, lo_a + (size_t)x, lo_b + (size_t)--y);
			else
				push_edit(rev, OP_DEL, lo_a + (size_t)--x, lo_b + (size_t)y);
		}
		for (; x > 0 && y > 0; x--, y--)
			push_edit(rev, OP_EQ, lo_a + (size_t)x - 1, lo_b + (size_t)y - 1);
	}
	for (long i = 0; i <= max; i++)
		free(trace[i]);
	free(trace);
	free(v);
	return rc;
}

static void build_script(const struct lines *A, const struct lines *B, struct script *out)
{
	size_t head = 0, tail = 0;
	while (head < A->n && head < B->n && same_line(&A->v[head], &B->v[head]))
		head++;
	while (tail < A->n - head && tail < B->n - head &&
	       same_line(&A->v[A->n - 1 - tail], &B->v[B->n - 1 - tail]))
		tail++;
	for (size_t i = 0; i < head; i++)
		push_edit(out, OP_EQ, i, i);
	struct script rev = { 0 };
	if (myers(A, B, head, A->n - tail, head, B->n - tail, &rev) == 0) {
		for (size_t i = rev.n; i-- > 0;)
			push_edit(out, rev.v[i].op, rev.v[i].a, rev.v[i].b);
	} else {
		for (size_t i = head; i < A->n - tail; i++)
			push_edit(out, OP_DEL, i, head);
		for (size_t i = head; i < B->n - tail; i++)
			push_edit(out, OP_INS, A->n - tail, i);
	}
	free(rev.v);
	for (size_t i = 0; i < tail; i++)
		push_edit(out, OP_EQ, A->n - tail + i, B->n - tail + i);
}

static void put_range(struct buf *out, size_t start, size_t count)
{
	if (count == 0)
		buf_addf(out, "%zu,0", start);
	else if (count == 1)
		buf_addf(out, "%zu", start + 1);
	else
		buf_addf(out, "%zu,%zu", start + 1, count);
}

static void put_line(struct buf *out, char mark, const struct line *l)
{
	buf_addc(out, mark);
	buf_add(out, l->s, l->len);
	buf_addc(out, '\n');
	if (!l->eol)
		buf_adds(out, "\\ No newline at end of file\n");
}

static void put_hunk(struct buf *out, const struct script *s, size_t from, size_t to,
		     const struct lines *A, const struct lines *B)
{
	size_t a0 = s->v[from].a, b0 = s->v[from].b, na = 0, nb = 0;
	for (size_t i = from; i < to; i++) {
		na += s->v[i].op != OP_INS;
		nb += s->v[i].op != OP_DEL;
	}
	buf_adds(out, "@@ -");
	put_range(out, a0, na);
	buf_adds(out, " +");
	put_range(out, b0, nb);
	buf_adds(out, " @@\n");
	for (size_t i = from; i < to; i++) {
		const struct edit *e = &s->v[i];
		if (e->op == OP_EQ)
			put_line(out, ' ', &A->v[e->a]);
		else if (e->op == OP_DEL)
			put_line(out, '-', &A->v[e->a]);
		else
			put_line(out, '+', &B->v[e->b]);
	}
}

int udiff(struct buf *out, const char *a_name, const char *a, size_t alen, const char *b_name,
	  const char *b, size_t blen, int context)
{
	if (alen == blen && memcmp(a, b, alen) == 0)
		return 0;
	struct lines A, B;
	split_lines(a, alen, &A);
	split_lines(b, blen, &B);
	struct script s = { 0 };
	build_script(&A, &B, &s);
	buf_addf(out, "--- %s\n+++ %s\n", a_name, b_name);
	size_t ctx = context < 0 ? 0 : (size_t)context;
	for (size_t i = 0; i < s.n;) {
		if (s.v[i].op == OP_EQ) {
			i++;
			continue;
		}
		/* A hunk runs from ctx lines before this change to ctx lines after
		 * the last change that is at most 2*ctx equal lines further on. */
		size_t start = i > ctx ? i - ctx : 0, end = i;
		while (end < s.n) {
			size_t eq = 0, j = end;
			while (j < s.n && s.v[j].op == OP_EQ)
				eq++, j++;
			if (j == s.n || eq > 2 * ctx) {
				end += eq < ctx ? eq : ctx;
				break;
			}
			end = j;
			while (end < s.n && s.v[end].op != OP_EQ)
				end++;
		}
		/* A hunk that starts with context needs a line index even for inserts. */
		put_hunk(out, &s, start, end, &A, &B);
		i = end;
	}
	free(s.v);
	free(A.v);
	free(B.v);
	return 1;
}

/*
 * buf.h -- a growable byte buffer, always NUL-terminated.
 *
 * Contract (after git's strbuf):
 *  - `data` is never NULL once initialised with BUF_INIT or buf_init(), and
 *    data[len] is always '\0', so data can be passed to C string functions.
 *  - The buffer owns its memory (malloc).  buf_release() frees it and leaves
 *    an empty, reusable buffer; buf_detach() hands the memory to the caller,
 *    who then frees it with free().
 *  - `limit`, when non-zero, caps len: an append that would pass it appends
 *    nothing and returns -1, so hostile input cannot grow a buffer without
 *    bound.  Appends return 0 otherwise.
 */
#ifndef FEAST_BUF_H
#define FEAST_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct buf {
	char *data;
	size_t len, cap, limit;
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0, 0 }

void buf_init(struct buf *b, size_t limit);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);          /* len = 0, keeps memory */
void buf_truncate(struct buf *b, size_t len);
void buf_release(struct buf *b);
char *buf_detach(struct buf *b, size_t *len);
/* Read all of `f` (or of the file at `path`); -1 with errno set on failure
 * or when the limit is passed (errno EFBIG). */
int buf_read_file(struct buf *b, FILE *f);
int buf_read_path(struct buf *b, const char *path);

#endif

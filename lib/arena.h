/*
 * arena.h -- a bump allocator for everything one command invocation builds.
 *
 * Contract:
 *  - An arena hands out memory that lives until arena_free(); there is no
 *    per-object free.  The parse -> validate -> render -> emit pipeline puts
 *    every node, string and diagnostic in one arena owned by main(), so error
 *    paths cannot leak: main frees the arena once, whatever happened.
 *  - Allocation never returns NULL: running out of memory is not a state the
 *    callers can do anything useful with, so it aborts with a message.
 *  - An arena is not thread-safe.  Long-lived processes (feast-sidecar) use one
 *    arena per request or per cycle and free it when the cycle ends.
 *  - struct arena may live on the stack; initialise it with ARENA_INIT.
 */
#ifndef FEAST_ARENA_H
#define FEAST_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t total; /* bytes handed out, for tests and benchmarks */
};

#define ARENA_INIT { NULL, 0 }

void *arena_alloc(struct arena *a, size_t size);           /* zeroed */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* Grow an array living in the arena: returns a copy with room for new_cap. */
void *arena_grow(struct arena *a, void *old, size_t old_bytes, size_t new_bytes);
void arena_free(struct arena *a);

/* Memory outside arenas: the x* wrappers abort on exhaustion. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

#endif

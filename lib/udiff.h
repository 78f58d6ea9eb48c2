/*
 * udiff.h -- line-based unified diffs, as `diff -u` prints them.
 *
 * udiff() compares two texts line by line (Myers' algorithm after trimming
 * the common head and tail) and appends a unified diff with `context` lines
 * around each change to `out`.  It is used where the user is shown what would
 * change: `kubectl feast diff`, `scale --dry-run`.  Both texts are borrowed;
 * the caller owns `out`.  Returns 0 when the texts are equal (nothing is
 * written), 1 when they differ.  When the two texts differ in more lines than
 * the algorithm's budget, the whole changed middle is shown as removed and
 * added, which is still a correct (if longer) diff.
 */
#ifndef FEAST_UDIFF_H
#define FEAST_UDIFF_H

#include <stddef.h>

struct buf;

int udiff(struct buf *out, const char *a_name, const char *a, size_t alen, const char *b_name,
	  const char *b, size_t blen, int context);

#endif

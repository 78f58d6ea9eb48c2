/* suite.h -- the arena and diagnostics that most unit suites share.
 *
 * A test allocates from A and collects diagnostics in D; a suite declared
 * with `.init = suite_setup, .fini = suite_teardown` gets both fresh for every
 * test and frees A after it (a suite with more to set up calls them from its
 * own init and fini).  Include it once per test file: A and D are static.
 */
#ifndef FEAST_TEST_SUITE_H
#define FEAST_TEST_SUITE_H

#include "arena.h"
#include "diag.h"

static struct arena A = ARENA_INIT;
static struct diags D;

static inline void suite_setup(void)
{
	diags_init(&D, &A);
}

static inline void suite_teardown(void)
{
	arena_free(&A);
}

#endif

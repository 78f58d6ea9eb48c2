/*
 * fuzz_check.h -- CHECK(cond): the property assertion every fuzz target shares.
 *
 * A fuzz target checks more than "no crash": each property it asserts with CHECK
 * aborts the run when it does not hold, naming the file, line and condition, so
 * libFuzzer saves the input and the replay in `make test` (tests/fuzz/replay.c,
 * tests/unit/test_sidecar_fuzz.c) points at the broken property.  Header only;
 * it allocates nothing.
 */
#ifndef FEAST_FUZZ_CHECK_H
#define FEAST_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                       \
		}                                                                      \
	} while (0)

#endif

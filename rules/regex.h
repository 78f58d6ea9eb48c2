/*
 * regex.h -- the regular expressions of OpenAPI `pattern`, matched as the API
 * server (Go's regexp, RE2 syntax) matches them.
 *
 * regex_compile() accepts the RE2 subset CRDs use: literals, `.`, `^`, `$`,
 * `\A`, `\z`, groups `( )` and `(?: )`, alternation, the quantifiers `*`, `+`,
 * `?`, `{n}`, `{n,}`, `{n,m}` (lazy forms too), bracket classes with ranges
 * and negation, and the Perl classes `\d \s \w` and their negations.  It
 * rejects anything else (flags, backreferences, Unicode classes) with a
 * message, so a CRD using more fails the build instead of being half-checked.
 *
 * regex_search() answers Go's regexp.MatchString: does the pattern match
 * somewhere in the text (anchors make it a whole match)?  Matching is on
 * Unicode code points and runs in time linear in the text (a Pike VM, no
 * backtracking), so hostile input cannot make it slow.
 *
 * Memory: a compiled regex is one malloc'd block owned by the caller, freed
 * with regex_free().  Matching allocates nothing the caller sees.
 */
#ifndef FEAST_REGEX_H
#define FEAST_REGEX_H

#include <stdbool.h>
#include <stddef.h>

struct regex;

/* NULL on error, with the reason in err. */
struct regex *regex_compile(const char *pattern, char *err, size_t errlen);
bool regex_search(const struct regex *re, const char *text, size_t len);
void regex_free(struct regex *re);

#endif

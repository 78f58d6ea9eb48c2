/*
 * banned.h -- C library calls the project does not use, made into compile errors.
 *
 * The Makefile force-includes this header (-include) into every C file it
 * compiles, so a banned call fails the build where it is written instead of
 * waiting for review.  Banned: calls that write an unbounded string
 * (strcpy, strcat, sprintf, vsprintf, gets), the "n" variants that
 * truncate without a terminator or take the wrong length (strncpy,
 * strncat), and calls that hand back a pointer to static storage, which
 * the sidecar's threads would share (strtok, gmtime, localtime, ctime,
 * asctime).  Use snprintf, memcpy with a checked length, buf_add*
 * (buf.h), strtok_r, gmtime_r.  The system headers that declare these are
 * included first, so their prototypes are read before the macros exist.
 * The header owns no memory.
 */
#ifndef FEAST_BANNED_H
#define FEAST_BANNED_H

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Expands to an identifier nothing declares: "'strcpy_is_banned_see_lib_banned_h' undeclared". */
#define FEAST_BANNED(fn) fn##_is_banned_see_lib_banned_h

#undef strcpy
#define strcpy(...) FEAST_BANNED(strcpy)
#undef strcat
#define strcat(...) FEAST_BANNED(strcat)
#undef strncpy
#define strncpy(...) FEAST_BANNED(strncpy)
#undef strncat
#define strncat(...) FEAST_BANNED(strncat)
#undef sprintf
#define sprintf(...) FEAST_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) FEAST_BANNED(vsprintf)
#undef gets
#define gets(...) FEAST_BANNED(gets)
#undef strtok
#define strtok(...) FEAST_BANNED(strtok)
#undef gmtime
#define gmtime(...) FEAST_BANNED(gmtime)
#undef localtime
#define localtime(...) FEAST_BANNED(localtime)
#undef ctime
#define ctime(...) FEAST_BANNED(ctime)
#undef asctime
#define asctime(...) FEAST_BANNED(asctime)

#endif

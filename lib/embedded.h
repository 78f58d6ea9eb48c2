/*
 * embedded.h -- files compiled into the binary (templates, CRD schemas).
 *
 * tools/embed.c generates a table of these at build time from files in the
 * source tree, so the data ships inside the binary and stays a plain file
 * in Git.  The bytes are static and NUL-terminated; nothing is freed.
 */
#ifndef FEAST_EMBEDDED_H
#define FEAST_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;  /* path relative to its source folder */
	const char *data;
	size_t len;
};

const struct embedded_file *embedded_find(const struct embedded_file *table, const char *name);

#endif

/*
 * fileio.h -- write files so that nobody ever sees half of them.
 *
 * write_file_atomic() writes to a temporary file in the same directory,
 * fsyncs it, gives it the old file's permissions and (best effort: only root
 * may give a file away) its owner and group, renames it over the target and
 * fsyncs the directory: an interrupted run leaves either the old file or the
 * new one, never a mix.  file_check_replaceable() says beforehand whether that
 * would surprise the user.  Errors are diagnostics naming the path.
 */
#ifndef FEAST_FILEIO_H
#define FEAST_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

struct diags;

/* A read-only file, and a file with other hard links (the rename leaves them
 * the old content), are refused with an error unless `force`; with `force`
 * the links get a warning.  A file that does not exist is fine.  Returns 0 or
 * -1 after an error. */
int file_check_replaceable(const char *path, bool force, struct diags *d);

int write_file_atomic(const char *path, const char *data, size_t len, struct diags *d);

#endif

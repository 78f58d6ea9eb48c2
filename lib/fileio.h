/*
 * fileio.h -- write files so that nobody ever sees half of them.
 *
 * write_file_atomic() writes to a temporary file in the same directory,
 * fsyncs it, gives it the old file's permissions, renames it over the target
 * and fsyncs the directory: an interrupted run leaves either the old file or
 * the new one, never a mix.  Errors are diagnostics naming the path.
 */
#ifndef FEAST_FILEIO_H
#define FEAST_FILEIO_H

#include <stddef.h>

struct diags;

int write_file_atomic(const char *path, const char *data, size_t len, struct diags *d);

#endif

/*
 * input.h -- gather the documents named by -f arguments.
 *
 * `-f FILE` reads a file, `-f DIR` every *.yaml / *.yml / *.json in it in
 * sorted order (subdirectories only with -R), `-f -` standard input (once).
 * Each stream is parsed with yaml_parse(); documents keep their stream order
 * and streams the order of the -f arguments.  A directory walk follows
 * symbolic links but reads each directory and file (device and inode) once:
 * a link back up the tree or a second name of a read file is skipped with a
 * warning naming both paths.  Problems (missing file,
 * unreadable directory, empty directory, YAML errors) go to `d`; loading
 * continues with the next input so that one run reports all of them.
 *
 * Source text is read into the arena and stays there, so documents may
 * point into it for in-place edits.
 */
#ifndef FEAST_INPUT_H
#define FEAST_INPUT_H

#include <stdbool.h>

#include "yaml_in.h"

struct arena;
struct diags;

#define INPUT_MAX_BYTES (64u << 20)

struct input_opts {
	bool recursive;
	const struct yaml_limits *limits; /* NULL: defaults */
};

struct inputs {
	struct doclist docs;
	bool stdin_used;
	unsigned files;   /* streams read */
};

int inputs_add(struct arena *a, struct inputs *in, const char *arg, const struct input_opts *opts,
	       struct diags *d);

#endif

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
 *
 * With opts.raw the streams are only read, not parsed: in->streams gets each
 * one's name and text, in the order a parsing load would have read them, and
 * the walk's diagnostics go to `d` as they happen.  inputs_parse() then gives
 * what a parsing load would have given (documents, diagnostics in the same
 * order); render reads raw streams a document at a time instead (render.h).
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
	bool raw;         /* read the streams into in->streams, parse nothing */
};

struct input_stream {
	const char *name; /* as the user named it; "-" for stdin */
	const char *text; /* in the arena */
	size_t len;
	size_t diags_before; /* diagnostics the walk had given before this stream was read */
};

struct inputs {
	struct doclist docs;
	bool stdin_used;
	unsigned files;   /* streams read */
	struct input_stream *streams; /* opts.raw only; in the arena */
	size_t nstreams, capstreams;
};

int inputs_add(struct arena *a, struct inputs *in, const char *arg, const struct input_opts *opts,
	       struct diags *d);
/* Parse the raw streams into in->docs; `walk` holds the diagnostics of the raw load, which
 * are interleaved into `d` with the parse's as a parsing load would have ordered them.
 * Returns -1 when any stream had an error. */
int inputs_parse(struct arena *a, struct inputs *in, const struct diags *walk,
		 const struct yaml_limits *limits, struct diags *d);

#endif

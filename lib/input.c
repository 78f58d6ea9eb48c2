/* input.c -- read -f files, directories and stdin into parsed documents. */
#include "input.h"
#include "arena.h"
#include "buf.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool has_manifest_suffix(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int load_stream(struct arena *a, struct inputs *in, const char *name, FILE *f,
		       const struct input_opts *opts, struct diags *d)
{
	struct buf b;
	buf_init(&b, INPUT_MAX_BYTES);
	struct pos pos = { name, 0, 0 };
	if (buf_read_file(&b, f) < 0) {
		if (errno == EFBIG)
			diag_error(d, &pos, "", "input is larger than %u bytes", INPUT_MAX_BYTES);
		else
			diag_error(d, &pos, "", "cannot read: %s", strerror(errno));
		buf_release(&b);
		return -1;
	}
	char *text = arena_strndup(a, b.data, b.len);
	size_t len = b.len;
	buf_release(&b);
	in->files++;
	if (!opts->raw)
		return yaml_parse(a, name, text, len, opts->limits, &in->docs, d);
	if (in->nstreams == in->capstreams) {
		size_t cap = in->capstreams ? in->capstreams * 2 : 8;
		in->streams = arena_grow(a, in->streams, in->nstreams * sizeof(*in->streams), cap * sizeof(*in->streams));
		in->capstreams = cap;
	}
	in->streams[in->nstreams++] = (struct input_stream){ arena_strdup(a, name), text, len, d->n };
	return 0;
}

int inputs_parse(struct arena *a, struct inputs *in, const struct diags *walk,
		 const struct yaml_limits *limits, struct diags *d)
{
	int rc = 0;
	size_t done = 0;
	for (size_t i = 0; i < in->nstreams; i++) {
		const struct input_stream *s = &in->streams[i];
		diags_copy(d, walk, done, s->diags_before);
		done = s->diags_before;
		if (yaml_parse(a, s->name, s->text, s->len, limits, &in->docs, d) < 0)
			rc = -1;
	}
	diags_copy(d, walk, done, walk->n);
	return rc;
}

static int load_file(struct arena *a, struct inputs *in, const char *path,
		     const struct input_opts *opts, struct diags *d)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		struct pos pos = { path, 0, 0 };
		diag_error(d, &pos, "", "cannot open: %s", strerror(errno));
		return -1;
	}
	int rc = load_stream(a, in, path, f, opts, d);
	fclose(f);
	return rc;
}

static int compare_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* What one directory argument's walk has read, by device and inode, so that a
 * symbolic link back up the tree (or two of them: the walk would be
 * exponential) or a second name of a file costs one warning, not a repeat. */
struct seen {
	dev_t dev;
	ino_t ino;
	const char *path; /* where it was first read, for the warning */
};

struct walk {
	struct seen *v; /* open addressing, cap a power of two, path NULL when free */
	size_t n, cap;
	unsigned depth;
};

static size_t seen_slot(const struct walk *w, dev_t dev, ino_t ino)
{
	size_t h = ((size_t)ino * 0x9E3779B97F4A7C15u) ^ (size_t)dev;
	size_t i = h & (w->cap - 1);
	while (w->v[i].path && (w->v[i].dev != dev || w->v[i].ino != ino))
		i = (i + 1) & (w->cap - 1);
	return i;
}

/* The path that first read `st`'s file, or NULL after recording `path` as it. */
static const char *seen_before(struct walk *w, const struct stat *st, const char *path)
{
	if (2 * (w->n + 1) > w->cap) {
		struct walk grown = { xcalloc(w->cap ? w->cap * 2 : 64, sizeof(struct seen)), 0,
				      w->cap ? w->cap * 2 : 64, 0 };
		for (size_t i = 0; i < w->cap; i++)
			if (w->v[i].path)
				grown.v[seen_slot(&grown, w->v[i].dev, w->v[i].ino)] = w->v[i];
		free(w->v);
		w->v = grown.v;
		w->cap = grown.cap;
	}
	struct seen *s = &w->v[seen_slot(w, st->st_dev, st->st_ino)];
	if (s->path)
		return s->path;
	*s = (struct seen){ st->st_dev, st->st_ino, path };
	w->n++;
	return NULL;
}

static void skipped(struct diags *d, const char *path, const char *first, bool dir)
{
	struct pos pos = { path, 0, 0 };
	struct stat lst;
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
		diag_warn(d, &pos, "", "skipped: a symbolic link to %s \"%s\", which is already read",
			  dir ? "the directory" : "the file", first);
	else
		diag_warn(d, &pos, "", "skipped: the same %s as \"%s\", which is already read",
			  dir ? "directory" : "file", first);
}

static int load_entry(struct arena *a, struct inputs *in, const char *path, const char *name,
		      const struct input_opts *opts, struct diags *d, struct walk *w);

static int load_dir(struct arena *a, struct inputs *in, const char *dir,
		    const struct input_opts *opts, struct diags *d, struct walk *w)
{
	DIR *dh = opendir(dir);
	struct pos pos = { dir, 0, 0 };
	if (!dh) {
		diag_error(d, &pos, "", "cannot read directory: %s", strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dh)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dh);
	qsort(names, n, sizeof(*names), compare_names);
	int rc = 0;
	unsigned before = in->files;
	w->depth++;
	for (size_t i = 0; i < n; i++) {
		size_t dl = strlen(dir);
		char *path = arena_printf(a, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
		if (load_entry(a, in, path, names[i], opts, d, w) < 0)
			rc = -1;
	}
	w->depth--;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (w->depth == 0 && in->files == before && rc == 0) {
		diag_error(d, &pos, "", "no *.yaml, *.yml or *.json files in this directory%s",
			   opts->recursive ? " or below it" : " (use -R to look in subdirectories)");
		return -1;
	}
	return rc;
}

static int load_entry(struct arena *a, struct inputs *in, const char *path, const char *name,
		      const struct input_opts *opts, struct diags *d, struct walk *w)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	bool dir = S_ISDIR(st.st_mode);
	if (dir ? !opts->recursive : !(S_ISREG(st.st_mode) && has_manifest_suffix(name)))
		return 0;
	const char *first = seen_before(w, &st, path);
	if (first) {
		skipped(d, path, first, dir);
		return 0;
	}
	return dir ? load_dir(a, in, path, opts, d, w) : load_file(a, in, path, opts, d);
}

static int load_top_dir(struct arena *a, struct inputs *in, const char *dir, const struct stat *st,
			const struct input_opts *opts, struct diags *d)
{
	struct walk w = { 0 };
	seen_before(&w, st, dir);
	int rc = load_dir(a, in, dir, opts, d, &w);
	free(w.v);
	return rc;
}

int inputs_add(struct arena *a, struct inputs *in, const char *arg, const struct input_opts *opts,
	       struct diags *d)
{
	if (strcmp(arg, "-") == 0) {
		if (in->stdin_used) {
			struct pos pos = { "-", 0, 0 };
			diag_error(d, &pos, "", "standard input can be read only once");
			return -1;
		}
		in->stdin_used = true;
		return load_stream(a, in, "-", stdin, opts, d);
	}
	struct stat st;
	if (stat(arg, &st) < 0) {
		struct pos pos = { arg, 0, 0 };
		diag_error(d, &pos, "", "the path \"%s\" does not exist", arg);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return load_top_dir(a, in, arg, &st, opts, d);
	return load_file(a, in, arg, opts, d);
}

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
	return yaml_parse(a, name, text, len, opts->limits, &in->docs, d);
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

static int load_dir(struct arena *a, struct inputs *in, const char *dir,
		    const struct input_opts *opts, struct diags *d, bool top)
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
	for (size_t i = 0; i < n; i++) {
		size_t dl = strlen(dir);
		char *path = arena_printf(a, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
		struct stat st;
		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (opts->recursive && load_dir(a, in, path, opts, d, false) < 0)
				rc = -1;
		} else if (S_ISREG(st.st_mode) && has_manifest_suffix(names[i])) {
			if (load_file(a, in, path, opts, d) < 0)
				rc = -1;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (top && in->files == before && rc == 0) {
		diag_error(d, &pos, "", "no *.yaml, *.yml or *.json files in this directory%s",
			   opts->recursive ? " or below it" : " (use -R to look in subdirectories)");
		return -1;
	}
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
		return load_dir(a, in, arg, opts, d, true);
	return load_file(a, in, arg, opts, d);
}

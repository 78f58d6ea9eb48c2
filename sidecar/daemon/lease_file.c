/* lease_file.c -- a Lease kept in a local JSON file: same rules as the API server, one host.
 *
 * The file holds the Lease object exactly as the API server would return it.
 * Every request takes an flock(2) on the file, so writes from any number of
 * processes are serialised, and an update must carry the current
 * metadata.resourceVersion (a counter) or it gets a conflict; an update
 * without one is invalid, like a Lease PUT without resourceVersion.  A
 * watch polls the file's resourceVersion every 20 ms.  This backend exists
 * for tests and single-host use; it cannot time out or fail like a network.
 */
#include "lease_io.h"
#include "arena.h"
#include "buf.h"
#include "clock.h"
#include "diag.h"
#include "doc.h"
#include "json.h"
#include "kjson.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct lease_file {
	struct lease_io io;
	char path[4096];
	char name[254];
	int wake[2];
};

static int read_fd(int fd, struct buf *b)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		buf_add(b, chunk, (size_t)n);
	}
}

static int write_fd(int fd, const struct buf *b)
{
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	size_t off = 0;
	while (off < b->len) {
		ssize_t n = write(fd, b->data + off, b->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Read the stored object: 1 found, 0 empty file, -1 error. */
static int load(struct arena *a, int fd, struct node **obj, struct lease_obj *cur, char *msg, size_t n)
{
	struct buf b = BUF_INIT;
	if (read_fd(fd, &b) < 0) {
		snprintf(msg, n, "read: %s", strerror(errno));
		buf_release(&b);
		return -1;
	}
	if (!b.len) {
		buf_release(&b);
		return 0;
	}
	struct diags d;
	diags_init(&d, a);
	*obj = json_parse(a, b.data, b.len, "lease-file", &d);
	buf_release(&b);
	if (!*obj || lease_from_node(*obj, cur) < 0) {
		snprintf(msg, n, "the lease file is not a Lease");
		return -1;
	}
	return 1;
}

static enum lease_result store(struct arena *a, int fd, struct node *obj, long long rv, struct lease_obj *out,
			       char *msg, size_t n)
{
	struct node *md = map_child_map(a, obj, "metadata");
	map_set(a, md, "resourceVersion", node_strf(a, "%lld", rv));
	struct buf b = BUF_INIT;
	json_emit(&b, obj, 2);
	buf_addc(&b, '\n');
	int rc = write_fd(fd, &b);
	buf_release(&b);
	if (rc < 0 || lease_from_node(obj, out) < 0) {
		snprintf(msg, n, "write: %s", strerror(errno));
		return LR_UNAVAILABLE;
	}
	return LR_OK;
}

static enum lease_result apply(struct lease_file *f, struct arena *a, int fd, const struct lease_req *req,
			       struct lease_obj *out, char *msg, size_t n)
{
	struct node *obj = NULL;
	struct lease_obj cur;
	memset(&cur, 0, sizeof(cur));
	int found = load(a, fd, &obj, &cur, msg, n);
	if (found < 0)
		return LR_CONFIG;
	if (req->op == LEASE_GET) {
		if (!found)
			return LR_NOT_FOUND;
		*out = cur;
		return LR_OK;
	}
	if (req->op == LEASE_CREATE) {
		if (found)
			return LR_CONFLICT;
		return store(a, fd, lease_to_node(a, NULL, f->name, "local", req), 1, out, msg, n);
	}
	if (!found)
		return LR_NOT_FOUND;
	if (!req->rv[0]) {
		snprintf(msg, n, "metadata.resourceVersion: must be specified for an update");
		return LR_INVALID;
	}
	if (strcmp(req->rv, cur.rv) != 0)
		return LR_CONFLICT;
	return store(a, fd, lease_to_node(a, obj, f->name, "local", req), atoll(cur.rv) + 1, out, msg, n);
}

static enum lease_result file_call(struct lease_io *io, const struct lease_req *req, struct lease_obj *out,
				   char *msg, size_t n)
{
	struct lease_file *f = (struct lease_file *)io;
	int fd = open(f->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(msg, n, "%s: %s", f->path, strerror(errno));
		return LR_CONFIG;
	}
	while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	struct arena a = ARENA_INIT;
	enum lease_result r = apply(f, &a, fd, req, out, msg, n);
	arena_free(&a);
	close(fd); /* releases the flock */
	return r;
}

static int file_watch(struct lease_io *io, int64_t deadline, lease_io_event_fn fn, void *ctx, char *msg,
		      size_t n)
{
	struct lease_file *f = (struct lease_file *)io;
	struct lease_req get = { .op = LEASE_GET };
	char last[LEASE_RV_MAX] = "";
	bool existed = false, first = true;
	for (;;) {
		struct lease_obj o;
		enum lease_result r = file_call(io, &get, &o, msg, n);
		if (r == LR_OK && (first || strcmp(o.rv, last) != 0)) {
			memcpy(last, o.rv, sizeof(last));
			existed = true;
			fn(ctx, false, &o);
		} else if (r == LR_NOT_FOUND && existed) {
			existed = false;
			last[0] = '\0';
			fn(ctx, true, NULL);
		} else if (r != LR_OK && r != LR_NOT_FOUND) {
			return LIO_WATCH_BROKEN;
		}
		first = false;
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return LIO_WATCH_DONE;
		struct pollfd p = { f->wake[0], POLLIN, 0 };
		if (poll(&p, 1, left < 20 ? (int)left : 20) > 0) {
			char drain[64];
			while (read(f->wake[0], drain, sizeof(drain)) > 0)
				;
			return LIO_WATCH_DONE;
		}
	}
}

static void file_wakeup(struct lease_io *io)
{
	struct lease_file *f = (struct lease_file *)io;
	ssize_t n = write(f->wake[1], "w", 1);
	(void)n;
}

static void file_destroy(struct lease_io *io)
{
	struct lease_file *f = (struct lease_file *)io;
	close(f->wake[0]);
	close(f->wake[1]);
	free(f);
}

static const struct lease_io_ops file_ops = { file_call, file_watch, file_wakeup, file_destroy };

struct lease_io *lease_file_open(const char *path, const char *name, char *err, size_t n)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, n, "--lease-file %s: %s", path, strerror(errno));
		return NULL;
	}
	close(fd);
	struct lease_file *f = calloc(1, sizeof(*f));
	if (!f || pipe2(f->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(f);
		snprintf(err, n, "pipe: %s", strerror(errno));
		return NULL;
	}
	f->io.ops = &file_ops;
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->io.where, sizeof(f->io.where), "file %s (lease %s)", path, name);
	return &f->io;
}

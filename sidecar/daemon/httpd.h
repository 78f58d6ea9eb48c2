/*
 * httpd.h -- a tiny HTTP/1.1 responder for loopback probes.
 *
 * Only GET (and HEAD) of a path, one request per connection, answered at
 * once and closed: kubelet probes and curl need nothing more.  Requests are
 * bounded (2 KiB, 2 s); a slow or oversized client is dropped.  The
 * listener binds loopback addresses only (127.0.0.0/8, ::1, "localhost"):
 * the lock state must not be readable from the pod network.
 *
 * The owner polls http_conn fds and calls httpd_read() when readable; the
 * route callback fills the body and returns the status code.
 */
#ifndef FEAST_HTTPD_H
#define FEAST_HTTPD_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define HTTPD_MAX_CONNS 16

struct http_conn {
	int fd;          /* -1: free slot */
	int64_t deadline;
	size_t len;
	char req[2048];
};

typedef int (*httpd_route)(void *ctx, const char *path, struct buf *body);

/* "127.0.0.1:6599", "[::1]:6599", "localhost:6599"; -1 with a message. */
int httpd_listen(const char *addr, char *err, size_t n);
void httpd_accept(int lfd, struct http_conn *conns, int64_t now);
/* Read what arrived; answer and close when the request is complete. */
void httpd_read(struct http_conn *c, httpd_route route, void *ctx);
/* Drop connections past their deadline; returns the earliest deadline left. */
int64_t httpd_expire(struct http_conn *conns, int64_t now);

#endif

/* httpd.c -- loopback-only HTTP for /healthz and /leader: one GET per connection. */
#include "httpd.h"
#include "buf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int split_addr(const char *addr, char *host, size_t hn, int *port, char *err, size_t n)
{
	const char *colon = strrchr(addr, ':');
	if (!colon || !colon[1]) {
		snprintf(err, n, "--listen \"%s\": want HOST:PORT", addr);
		return -1;
	}
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 0 || p > 65535) {
		snprintf(err, n, "--listen \"%s\": bad port", addr);
		return -1;
	}
	const char *h = addr;
	size_t len = (size_t)(colon - addr);
	if (len >= 2 && h[0] == '[' && h[len - 1] == ']')
		h++, len -= 2;
	if (len >= hn) {
		snprintf(err, n, "--listen \"%s\": bad host", addr);
		return -1;
	}
	memcpy(host, h, len);
	host[len] = '\0';
	*port = (int)p;
	return 0;
}

static int bind_listen(int family, const struct sockaddr *sa, socklen_t len, char *err, size_t n)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 || bind(fd, sa, len) < 0 ||
	    listen(fd, 16) < 0) {
		snprintf(err, n, "--listen: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int httpd_listen(const char *addr, char *err, size_t n)
{
	char host[128];
	int port;
	if (split_addr(addr, host, sizeof(host), &port, err, n) < 0)
		return -1;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
		if ((ntohl(v4.sin_addr.s_addr) >> 24) != 127) {
			snprintf(err, n, "--listen %s: only loopback addresses (127.0.0.0/8, ::1) are allowed", addr);
			return -1;
		}
		v4.sin_family = AF_INET;
		v4.sin_port = htons((uint16_t)port);
		return bind_listen(AF_INET, (struct sockaddr *)&v4, sizeof(v4), err, n);
	}
	if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr)) {
			snprintf(err, n, "--listen %s: only loopback addresses (127.0.0.0/8, ::1) are allowed", addr);
			return -1;
		}
		v6.sin6_family = AF_INET6;
		v6.sin6_port = htons((uint16_t)port);
		return bind_listen(AF_INET6, (struct sockaddr *)&v6, sizeof(v6), err, n);
	}
	snprintf(err, n, "--listen %s: not an IP address", addr);
	return -1;
}

void httpd_accept(int lfd, struct http_conn *conns, int64_t now)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		struct http_conn *slot = NULL;
		for (int i = 0; i < HTTPD_MAX_CONNS && !slot; i++)
			if (conns[i].fd < 0)
				slot = &conns[i];
		if (!slot) {
			close(fd); /* busy: the prober retries */
			continue;
		}
		slot->fd = fd;
		slot->len = 0;
		slot->deadline = now + 2000;
	}
}

static void finish(struct http_conn *c)
{
	close(c->fd);
	c->fd = -1;
}

static void respond(struct http_conn *c, int code, const char *body, bool head)
{
	const char *reason = code == 200 ? "OK" : code == 404 ? "Not Found" : code == 405 ? "Method Not Allowed"
						   : code == 503 ? "Service Unavailable" : "Bad Request";
	struct buf b = BUF_INIT;
	buf_addf(&b,
		 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		 "Cache-Control: no-store\r\nConnection: close\r\n\r\n%s",
		 code, reason, strlen(body), head ? "" : body);
	ssize_t w = send(c->fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)w; /* a response this small fits the socket buffer; a reader that is gone is gone */
	buf_release(&b);
	finish(c);
}

void httpd_read(struct http_conn *c, httpd_route route, void *ctx)
{
	ssize_t n = recv(c->fd, c->req + c->len, sizeof(c->req) - 1 - c->len, 0);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			finish(c);
		return;
	}
	c->len += (size_t)n;
	c->req[c->len] = '\0';
	if (!strstr(c->req, "\r\n\r\n") && !strstr(c->req, "\n\n")) {
		if (c->len >= sizeof(c->req) - 1)
			respond(c, 400, "{\"error\":\"request too large\"}\n", false);
		return;
	}
	char method[8], path[256];
	if (sscanf(c->req, "%7s %255s HTTP/1.", method, path) != 2) {
		respond(c, 400, "{\"error\":\"bad request\"}\n", false);
		return;
	}
	bool head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET")) {
		respond(c, 405, "{\"error\":\"only GET\"}\n", false);
		return;
	}
	char *q = strchr(path, '?');
	if (q)
		*q = '\0';
	struct buf body = BUF_INIT;
	int code = route(ctx, path, &body);
	respond(c, code, body.data, head);
	buf_release(&body);
}

int64_t httpd_expire(struct http_conn *conns, int64_t now)
{
	int64_t next = INT64_MAX;
	for (int i = 0; i < HTTPD_MAX_CONNS; i++) {
		if (conns[i].fd < 0)
			continue;
		if (now >= conns[i].deadline)
			finish(&conns[i]);
		else if (conns[i].deadline < next)
			next = conns[i].deadline;
	}
	return next;
}

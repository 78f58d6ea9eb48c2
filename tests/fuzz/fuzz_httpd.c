/* fuzz_httpd.c -- the fuzz entry point for the sidecar's loopback HTTP: requests in pieces, and the answers they get. */
#include "buf.h"
#include "httpd.h"
#include "json.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A stand-in for the daemon's routes (its own needs a running daemon): the same
 * shapes of answer, one that quotes the path back, and the path's own checks. */
static int route(void *ctx, const char *path, struct buf *body)
{
	int *calls = ctx;
	(*calls)++;
	/* Empty when the target is only a query ("GET ?x"): the routes answer 404. */
	CHECK(strlen(path) < 256 && !strchr(path, '?'));
	for (const char *p = path; *p; p++)
		CHECK(*p != ' ' && *p != '\r' && *p != '\n' && *p != '\t');
	if (!strcmp(path, "/healthz")) {
		buf_adds(body, "{\"status\":\"ok\"}\n");
		return 200;
	}
	if (!strcmp(path, "/readyz"))
		return 503; /* an empty body */
	if (!strncmp(path, "/leader", 7)) {
		buf_adds(body, "{\"holder\":");
		json_quote(body, path, (size_t)-1);
		buf_adds(body, "}\n");
		return 200;
	}
	buf_adds(body, "{\"error\":\"not found\"}\n");
	return 404;
}

/* One answer, whole: a status line, Content-Length equal to what follows the head
 * (nothing after a HEAD), and the route called exactly when the code says so. */
static void check_answer(int fd, int calls)
{
	char ans[4096];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(ans) - 1 && (n = recv(fd, ans + len, sizeof(ans) - 1 - len, MSG_DONTWAIT)) > 0)
		len += (size_t)n;
	ans[len] = '\0';
	if (!len) {
		CHECK(calls == 0); /* dropped without an answer: the client went away first */
		return;
	}
	int code = 0;
	CHECK(sscanf(ans, "HTTP/1.1 %d ", &code) == 1);
	const char *end = strstr(ans, "\r\n\r\n");
	const char *cl = strstr(ans, "Content-Length: ");
	CHECK(end && cl && cl < end);
	size_t body = strtoul(cl + 16, NULL, 10);
	size_t got = len - (size_t)(end + 4 - ans);
	CHECK(got == body || got == 0);
	CHECK(calls == (code == 400 || code == 405 ? 0 : 1));
}

/* The input is the client's bytes, sent in pieces whose sizes the input picks; the
 * client then half-closes, as curl and the kubelet do not but a hostile one may. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		return 0;
	struct http_conn c = { .fd = sv[0], .len = 0, .deadline = 0 };
	int calls = 0;
	size_t off = 0;
	while (off < size && c.fd >= 0) {
		size_t chunk = 1 + data[off] % 251;
		if (chunk > size - off)
			chunk = size - off;
		ssize_t w = send(sv[1], data + off, chunk, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
		httpd_read(&c, route, &calls);
		CHECK(c.fd < 0 || c.len < sizeof(c.req));
	}
	shutdown(sv[1], SHUT_WR);
	for (int i = 0; i < 4 && c.fd >= 0; i++)
		httpd_read(&c, route, &calls);
	CHECK(c.fd < 0);
	CHECK(calls <= 1);
	check_answer(sv[1], calls);
	close(sv[1]);
	return 0;
}

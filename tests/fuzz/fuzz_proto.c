/* fuzz_proto.c -- the fuzz entry point for the sidecar's socket protocol: framing, words, numbers, the lines sent back. */
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference for proto_num: an optional '-', decimal digits, and a magnitude that fits. */
static void check_num(const char *s)
{
	long long v = 0;
	bool ok = proto_num(s, &v);
	const char *p = s + (*s == '-');
	bool digits = *p != '\0';
	for (const char *q = p; *q; q++)
		digits &= *q >= '0' && *q <= '9';
	errno = 0;
	long long ref = digits ? strtoll(s, NULL, 10) : 0;
	CHECK(ok == (digits && errno != ERANGE && ref != LLONG_MIN));
	CHECK(!ok || v == ref);
}

/* Split as the daemon and both halves of the client do (8 words, 6, 3), checking the shape:
 * non-empty words, spaces only inside the last one. */
static void check_words(const char *line)
{
	static const int maxes[] = { PROTO_MAX_WORDS, 6, 3, 2 };
	for (size_t m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
		char copy[PROTO_LINE_MAX];
		snprintf(copy, sizeof(copy), "%s", line);
		char *w[PROTO_MAX_WORDS];
		int n = proto_words(copy, w, maxes[m]);
		CHECK(n >= 0 && n <= maxes[m]);
		for (int i = 0; i < n; i++) {
			CHECK(*w[i] && *w[i] != ' ');
			CHECK(i == n - 1 || !strchr(w[i], ' '));
			check_num(w[i]);
		}
	}
}

/* A line sent back through proto_send reads back the same (less one trailing CR, which
 * the reader strips); a line too long for the protocol is refused, never cut. */
static void check_echo(const char *line)
{
	/* One pair for every line: a socket per line would cost more than the checks. */
	static int sv[2] = { -1, -1 };
	if (sv[0] < 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		return;
	size_t len = strlen(line);
	int rc = proto_send(sv[0], true, "%s", line);
	CHECK((rc == 0) == (len < PROTO_LINE_MAX - 1));
	if (rc == 0) {
		struct linebuf lb = { .len = 0 };
		char back[PROTO_LINE_MAX];
		CHECK(linebuf_fill(&lb, sv[1]) == (int)len + 1);
		CHECK(linebuf_next(&lb, back, sizeof(back)) == 1 && lb.len == 0);
		if (len && line[len - 1] == '\r')
			len--;
		CHECK(strlen(back) == len && !memcmp(back, line, len));
	}
}

static void on_line(const char *line)
{
	CHECK(strlen(line) < PROTO_LINE_MAX && !strchr(line, '\n'));
	check_words(line);
	check_echo(line);
}

/* Read and take lines until the socket has nothing more (or the buffer is full
 * without a newline, when the daemon drops the client); the last fill's result. */
static int drain(struct linebuf *lb, int fd)
{
	char line[PROTO_LINE_MAX];
	int r;
	do {
		r = linebuf_fill(lb, fd);
		while (linebuf_next(lb, line, sizeof(line)))
			on_line(line);
		CHECK(lb->len <= sizeof(lb->buf) && !memchr(lb->buf, '\n', lb->len));
	} while (r > 0);
	return r;
}

/* The input is what a peer writes, delivered in pieces whose sizes the input also picks,
 * so lines split across reads and reads holding several lines both occur. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		return 0;
	struct linebuf lb = { .len = 0 };
	size_t off = 0;
	int r = -2;
	while (off < size && r != -3) {
		size_t chunk = 1 + data[off] % 97;
		if (chunk > size - off)
			chunk = size - off;
		CHECK(write(sv[1], data + off, chunk) == (ssize_t)chunk);
		off += chunk;
		r = drain(&lb, sv[0]);
		CHECK(r == -2 || r == -3);
	}
	close(sv[1]);
	if (r != -3) {
		r = drain(&lb, sv[0]);
		CHECK(r == 0 || (r == -3 && lb.len == sizeof(lb.buf)));
	}
	close(sv[0]);
	return 0;
}

/* proto.c -- reading and writing the broker's newline-terminated lines. */
#include "proto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int linebuf_fill(struct linebuf *lb, int fd)
{
	if (lb->len == sizeof(lb->buf))
		return -3;
	ssize_t n;
	do
		n = read(fd, lb->buf + lb->len, sizeof(lb->buf) - lb->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
	lb->len += (size_t)n;
	return (int)n;
}

int linebuf_next(struct linebuf *lb, char *out, size_t n)
{
	char *nl = memchr(lb->buf, '\n', lb->len);
	if (!nl)
		return 0;
	size_t len = (size_t)(nl - lb->buf);
	size_t copy = len < n - 1 ? len : n - 1;
	memcpy(out, lb->buf, copy);
	out[copy] = '\0';
	if (copy && out[copy - 1] == '\r')
		out[copy - 1] = '\0';
	memmove(lb->buf, nl + 1, lb->len - len - 1);
	lb->len -= len + 1;
	return 1;
}

int proto_send(int fd, bool nonblock, const char *fmt, ...)
{
	char line[PROTO_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return -1;
	line[n++] = '\n';
	size_t off = 0;
	while (off < (size_t)n) {
		ssize_t w = send(fd, line + off, (size_t)n - off, MSG_NOSIGNAL | (nonblock ? MSG_DONTWAIT : 0));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, line + off, (size_t)n - off);
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int proto_words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;
	while (*p && n < max) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w[n++] = p;
		/* The last word keeps the rest of the line (messages have spaces). */
		if (n == max)
			break;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

bool proto_num(const char *s, long long *out)
{
	const char *p = s;
	bool neg = *p == '-';
	if (neg)
		p++;
	if (!*p)
		return false;
	long long v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (0x7fffffffffffffffLL - (*p - '0')) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	*out = neg ? -v : v;
	return true;
}

const char *proto_socket_path(const char *flag)
{
	if (flag && *flag)
		return flag;
	const char *env = getenv("FEAST_SIDECAR_SOCKET");
	return env && *env ? env : SC_DEFAULT_SOCKET;
}

/*
 * proto.h -- the lock broker's line protocol on the daemon's unix socket.
 *
 * One request or answer per line, words separated by single spaces, lines
 * at most PROTO_LINE_MAX bytes including the newline.  A lock lives exactly
 * as long as the client's connection (like an flock(2) descriptor).
 *
 *   client -> daemon                     daemon -> client
 *   ACQUIRE <lease|-> <timeout_ms|-1>    GRANTED <holder> <valid_ms> <fence> <kill_grace_ms>
 *                                        TIMEOUT <held|unreachable|forbidden|config>
 *                                        ERROR <config|unavailable|usage> <message...>
 *                                        then, while granted:
 *                                        HELD <valid_ms>        after every renewal
 *                                        LOST <reason>          kill the command now
 *   RELEASE [bump]                       RELEASED <generation> <ok|unconfirmed>
 *   STATUS                               STATUS <one-line JSON>
 *   CHECK <live|ready>                   OK | FAIL <reason>
 *
 * valid_ms counts from when the daemon wrote the line; the client keeps its
 * own monotonic deadline (receipt + valid_ms) and kills the command when it
 * passes, even if the daemon is wedged.  `bump` asks the daemon to increment
 * the Lease annotation feast.dev/registry-generation in the release write
 * (the command exited 0).  A client that closes without RELEASE is assumed
 * to have left a command behind: the daemon keeps renewing for kill_grace_ms
 * and only then releases.
 */
#ifndef FEAST_PROTO_H
#define FEAST_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define PROTO_LINE_MAX 2048
#define PROTO_MAX_WORDS 8

/* Where the daemon listens and its clients connect unless told otherwise. */
#define SC_DEFAULT_SOCKET "/run/feast-sidecar/sock"

struct linebuf {
	char buf[PROTO_LINE_MAX];
	size_t len;
};

/* Read what fd has into lb: >0 bytes read, 0 end of file, -1 error (errno),
 * -2 nothing available (EAGAIN), -3 buffer full without a newline. */
int linebuf_fill(struct linebuf *lb, int fd);
/* Move the next complete line (newline removed) into out: 1, or 0 when
 * there is no complete line yet. */
int linebuf_next(struct linebuf *lb, char *out, size_t n);

/* Write one whole line (a newline is added).  Never raises SIGPIPE.  With
 * nonblock, a socket buffer too full to take the line is an error (a client
 * that does not read is dropped).  0, or -1. */
int proto_send(int fd, bool nonblock, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Split a line in place into at most max words; returns the count. */
int proto_words(char *line, char **w, int max);

/* Parse a decimal number (optionally negative) that fits in long long. */
bool proto_num(const char *s, long long *out);

/* The socket path from --socket, $FEAST_SIDECAR_SOCKET or the default. */
const char *proto_socket_path(const char *flag);

#endif

/* test_sidecar_proto.c -- the broker's line protocol: framing, words, numbers, writes. */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"

Test(proto, lines_are_split_across_reads)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct linebuf lb = { .len = 0 };
	char line[64];
	cr_assert_eq(write(sv[1], "HELD 12", 7), 7);
	cr_assert_gt(linebuf_fill(&lb, sv[0]), 0);
	cr_assert_eq(linebuf_next(&lb, line, sizeof(line)), 0, "no newline yet");
	cr_assert_eq(write(sv[1], "34\r\nLOST x\n", 11), 11);
	cr_assert_gt(linebuf_fill(&lb, sv[0]), 0);
	cr_assert_eq(linebuf_next(&lb, line, sizeof(line)), 1);
	cr_assert_str_eq(line, "HELD 1234", "CR stripped");
	cr_assert_eq(linebuf_next(&lb, line, sizeof(line)), 1);
	cr_assert_str_eq(line, "LOST x");
	cr_assert_eq(linebuf_next(&lb, line, sizeof(line)), 0);
	close(sv[1]);
	cr_assert_eq(linebuf_fill(&lb, sv[0]), 0, "end of stream");
	close(sv[0]);
}

Test(proto, an_endless_line_fills_the_buffer)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct linebuf lb = { .len = 0 };
	char junk[PROTO_LINE_MAX];
	memset(junk, 'x', sizeof(junk));
	cr_assert_eq(write(sv[1], junk, sizeof(junk)), (ssize_t)sizeof(junk));
	while (lb.len < sizeof(lb.buf))
		cr_assert_gt(linebuf_fill(&lb, sv[0]), 0);
	cr_assert_eq(linebuf_fill(&lb, sv[0]), -3, "a line longer than the limit is refused");
	close(sv[0]);
	close(sv[1]);
}

Test(proto, words_keep_the_rest_in_the_last)
{
	char line[] = "ERROR config this daemon serves Lease a, not b";
	char *w[PROTO_MAX_WORDS];
	cr_assert_eq(proto_words(line, w, 3), 3);
	cr_assert_str_eq(w[0], "ERROR");
	cr_assert_str_eq(w[1], "config");
	cr_assert_str_eq(w[2], "this daemon serves Lease a, not b");
	char line2[] = "  ACQUIRE  -   -1 ";
	cr_assert_eq(proto_words(line2, w, PROTO_MAX_WORDS), 3);
	cr_assert_str_eq(w[1], "-");
	cr_assert_str_eq(w[2], "-1");
	char empty[] = "   ";
	cr_assert_eq(proto_words(empty, w, PROTO_MAX_WORDS), 0);
}

Test(proto, numbers)
{
	long long v;
	cr_assert(proto_num("0", &v) && v == 0);
	cr_assert(proto_num("-1", &v) && v == -1);
	cr_assert(proto_num("9223372036854775807", &v) && v == 9223372036854775807LL);
	cr_assert(!proto_num("9223372036854775808", &v));
	cr_assert(!proto_num("", &v));
	cr_assert(!proto_num("-", &v));
	cr_assert(!proto_num("12a", &v));
	cr_assert(!proto_num(" 1", &v));
}

Test(proto, send_writes_whole_lines_and_never_raises_sigpipe)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(proto_send(sv[0], true, "GRANTED %s %d", "me", 42), 0);
	char buf[64] = "";
	cr_assert_eq(read(sv[1], buf, sizeof(buf)), 14);
	cr_assert_str_eq(buf, "GRANTED me 42\n");
	close(sv[1]);
	/* The peer is gone: an error, not a SIGPIPE that would kill the daemon. */
	cr_assert_eq(proto_send(sv[0], true, "HELD 1"), -1);
	close(sv[0]);
}

Test(proto, a_client_that_does_not_read_is_an_error_not_a_stall)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int rc = 0;
	for (int i = 0; i < 1000000 && rc == 0; i++)
		rc = proto_send(sv[0], true, "HELD %d", i);
	cr_assert_eq(rc, -1, "a full socket buffer must fail a non-blocking send");
	close(sv[0]);
	close(sv[1]);
}

/* test_ready_health.c -- health targets: parsing, and real checks against loopback sockets. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "health.h"

static struct health_target T;
static char err[512];

Test(health, parses_targets)
{
	cr_assert_eq(health_parse("http://127.0.0.1:6566/health", &T, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(T.kind, HEALTH_HTTP);
	cr_assert_eq(T.port, 6566);
	cr_assert_str_eq(T.url, "http://127.0.0.1:6566/health");
	cr_assert_eq(health_parse("https://localhost:6567/health", &T, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(T.url, "https://127.0.0.1:6567/health");
	cr_assert_eq(health_parse("tcp://[::1]:6570", &T, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(T.kind, HEALTH_TCP);
	cr_assert_str_eq(T.ip, "::1");
	cr_assert_eq(health_parse("http://127.0.0.2:80", &T, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(T.url, "http://127.0.0.2:80/");
}

Test(health, refuses_what_is_not_this_pod)
{
	const char *bad[] = { "http://10.0.0.1:6566/health", "tcp://feast-x-online:80", "http://[2001:db8::1]:80/",
			      "ftp://127.0.0.1:21", "tcp://127.0.0.1:6570/x", "tcp://127.0.0.1:0", "tcp://127.0.0.1:70000",
			      "http://127.0.0.1/health", "127.0.0.1:6566", "tcp://127.0.0.1:65x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(health_parse(bad[i], &T, err, sizeof(err)), -1, "%s was accepted", bad[i]);
	health_parse("http://10.0.0.1:6566/health", &T, err, sizeof(err));
	cr_assert(strstr(err, "loopback"), "%s", err);
}

/* A listening socket on a free loopback port. */
static int listener(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, len) == 0 && listen(fd, 8) == 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A port nothing listens on (bound, never listening). */
static int closed_port(int *fd)
{
	int port;
	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	bind(*fd, (struct sockaddr *)&a, len);
	getsockname(*fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	return port;
}

Test(health, tcp_connect)
{
	int port, cfd, lfd = listener(&port);
	char spec[64], why[256] = "";
	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%d", port);
	cr_assert_eq(health_parse(spec, &T, err, sizeof(err)), 0);
	cr_assert(health_check(&T, NULL, 500, why, sizeof(why)), "%s", why);
	int dead = closed_port(&cfd);
	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%d", dead);
	health_parse(spec, &T, err, sizeof(err));
	cr_assert_not(health_check(&T, NULL, 500, why, sizeof(why)));
	cr_assert(strstr(why, "refused"), "%s", why);
	close(lfd);
	close(cfd);
}

/* Answers each connection with `status`, or never answers when status is 0. */
struct srv {
	int fd;
	volatile int status;
	volatile int served;
};

static void *serve(void *arg)
{
	struct srv *s = arg;
	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		char buf[2048];
		ssize_t n = recv(c, buf, sizeof(buf), 0);
		(void)n;
		if (s->status) {
			char resp[128];
			int len = snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
					   s->status);
			ssize_t w = send(c, resp, (size_t)len, MSG_NOSIGNAL);
			(void)w;
		} else {
			usleep(600000);
		}
		s->served++;
		close(c);
	}
}

Test(health, http_status_and_timeout)
{
	struct srv s = { .status = 200 };
	int port;
	s.fd = listener(&port);
	pthread_t th;
	pthread_create(&th, NULL, serve, &s);
	char spec[64], why[256] = "";
	snprintf(spec, sizeof(spec), "http://127.0.0.1:%d/health", port);
	cr_assert_eq(health_parse(spec, &T, err, sizeof(err)), 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *c = curl_easy_init();
	cr_assert(health_check(&T, c, 1000, why, sizeof(why)), "%s", why);
	s.status = 503;
	cr_assert_not(health_check(&T, c, 1000, why, sizeof(why)));
	cr_assert(strstr(why, "HTTP 503"), "%s", why);
	s.status = 0; /* hangs: the check gives up after its timeout */
	int64_t t0 = mono_ms();
	cr_assert_not(health_check(&T, c, 200, why, sizeof(why)));
	int64_t took = mono_ms() - t0;
	cr_assert(took >= 190 && took < 2000, "took %lld ms", (long long)took);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	shutdown(s.fd, SHUT_RDWR);
	close(s.fd);
	pthread_join(th, NULL);
}

Test(health, worker_rounds_all_targets)
{
	struct srv s = { .status = 200 };
	int port, cfd;
	s.fd = listener(&port);
	pthread_t th;
	pthread_create(&th, NULL, serve, &s);
	struct health_target t[2];
	char spec[64];
	snprintf(spec, sizeof(spec), "http://127.0.0.1:%d/health", port);
	health_parse(spec, &t[0], err, sizeof(err));
	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%d", port);
	health_parse(spec, &t[1], err, sizeof(err));
	int efd = eventfd(0, EFD_CLOEXEC);
	struct health_worker w;
	cr_assert_eq(health_start(&w, t, 2, 100, 100, efd), 0);
	uint64_t v;
	struct health_result r;
	cr_assert_eq(read(efd, &v, sizeof(v)), (ssize_t)sizeof(v));
	cr_assert(health_take(&w, &r));
	cr_assert(r.ok, "%s", r.why);
	/* One target failing fails the round, and says which. */
	int dead = closed_port(&cfd);
	health_stop(&w);
	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%d", dead);
	health_parse(spec, &t[1], err, sizeof(err));
	cr_assert_eq(health_start(&w, t, 2, 100, 100, efd), 0);
	int64_t t0 = mono_ms();
	while (!health_take(&w, &r) && mono_ms() - t0 < 5000)
		usleep(10000);
	cr_assert_not(r.ok);
	cr_assert(strstr(r.why, spec), "%s", r.why);
	/* Rounds keep their period: about 10 in a second, never a burst. */
	usleep(1000000);
	int n = 0;
	while (health_take(&w, &r))
		n++;
	cr_assert(n >= 2 && n <= 12, "%d rounds in about a second", n);
	health_stop(&w);
	close(efd);
	close(cfd);
	shutdown(s.fd, SHUT_RDWR);
	close(s.fd);
	pthread_join(th, NULL);
}

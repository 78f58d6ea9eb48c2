/* curl_probe.c -- one GET with the image's static libcurl, asking for HTTP/2: prints the HTTP version and status it got. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

/* The body is not the point: only the protocol the server agreed to. */
static size_t discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

static const char *version_name(long v)
{
	switch (v) {
	case CURL_HTTP_VERSION_1_0: return "1.0";
	case CURL_HTTP_VERSION_1_1: return "1.1";
	case CURL_HTTP_VERSION_2_0: return "2";
	case CURL_HTTP_VERSION_3: return "3";
	default: return "unknown";
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: curl-probe URL CA-FILE BEARER-TOKEN (a proxy from HTTPS_PROXY)\n");
		return 2;
	}
	char auth[4096];
	if (snprintf(auth, sizeof(auth), "Authorization: Bearer %s", argv[3]) >= (int)sizeof(auth)) {
		fprintf(stderr, "curl-probe: token too long\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *e = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, auth);
	char err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(e, CURLOPT_URL, argv[1]);
	curl_easy_setopt(e, CURLOPT_CAINFO, argv[2]);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 20L);
	CURLcode rc = curl_easy_perform(e);
	long version = 0, code = 0;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		printf("HTTP/%s %ld\n", version_name(version), code);
	} else {
		fprintf(stderr, "curl-probe: %s\n", err[0] ? err : curl_easy_strerror(rc));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	curl_global_cleanup();
	return rc == CURLE_OK ? 0 : 1;
}

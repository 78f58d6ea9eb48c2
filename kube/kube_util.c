/* kube_util.c -- clocks, base64, RFC 3339 times, URL escaping and status conditions for the kube client. */
#include "kube_util.h"
#include "doc.h"
#include "arena.h"
#include "buf.h"
#include "opts.h"

#include <stdio.h>
#include <string.h>

long long kube_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long kube_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool kube_base64_decode(struct arena *a, const char *s, size_t n, unsigned char **out, size_t *len)
{
	unsigned char *o = arena_alloc(a, n / 4 * 3 + 4);
	size_t olen = 0, pad = 0;
	unsigned acc = 0, nbits = 0, quad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			quad++;
			continue;
		}
		int v = b64val(c);
		if (v < 0 || pad)
			return false; /* junk, or data after padding */
		acc = (acc << 6) | (unsigned)v;
		nbits += 6;
		quad++;
		if (nbits >= 8) {
			nbits -= 8;
			o[olen++] = (unsigned char)(acc >> nbits);
			acc &= (1u << nbits) - 1;
		}
	}
	/* Padding must complete the last group, and cut bits must be zero. */
	if (quad % 4 || pad > 2 || acc)
		return false;
	o[olen] = '\0';
	*out = o;
	*len = olen;
	return true;
}

void kube_base64_encode(struct buf *out, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = { tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
			      i + 2 < n ? tab[v & 63] : '=' };
		buf_add(out, q, 4);
	}
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * well-known civil-date arithmetic). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, const char *set)
{
	if (!**p || !strchr(set, **p))
		return false;
	(*p)++;
	return true;
}

static bool parse_zone(const char *p, int *offset_min)
{
	if (*p == 'Z' || *p == 'z') {
		*offset_min = 0;
		return p[1] == '\0';
	}
	int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0, hh, mm;
	if (!sign)
		return false;
	p++;
	if (!digits(&p, 2, &hh) || !expect(&p, ":") || !digits(&p, 2, &mm) || *p || hh > 23 || mm > 59)
		return false;
	*offset_min = sign * (hh * 60 + mm);
	return true;
}

bool kube_parse_time(const char *s, long long *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h, mi, se, frac_ms = 0, off;
	if (!digits(&p, 4, &y) || !expect(&p, "-") || !digits(&p, 2, &mo) || !expect(&p, "-") ||
	    !digits(&p, 2, &d) || !expect(&p, "Tt ") || !digits(&p, 2, &h) || !expect(&p, ":") ||
	    !digits(&p, 2, &mi) || !expect(&p, ":") || !digits(&p, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
		return false;
	if (*p == '.') {
		int n = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 3)
				frac_ms = frac_ms * 10 + (*p - '0');
		if (!n)
			return false;
		for (; n < 3; n++)
			frac_ms *= 10;
	}
	if (!parse_zone(p, &off))
		return false;
	long long days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	long long secs = days * 86400 + h * 3600 + mi * 60 + se - off * 60;
	*ms = secs * 1000 + frac_ms;
	return true;
}

bool kube_parse_http_date(const char *s, long long *ms)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char wday[4], mon[4], zone[4];
	int d, y, h, mi, se, used = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n", wday, &d, mon, &y, &h, &mi, &se,
		   zone, &used) != 8 || strcmp(zone, "GMT") != 0 || strspn(s + used, "\r\n ") != strlen(s + used))
		return false;
	const char *m = strstr(months, mon);
	if (!m || (m - months) % 3)
		return false;
	char rfc[32];
	snprintf(rfc, sizeof(rfc), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, (int)((m - months) / 3) + 1, d, h, mi, se);
	return kube_parse_time(rfc, ms);
}

void kube_format_microtime(struct buf *out, long long ms)
{
	long long secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	long long days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	long long rem = secs - days * 86400;
	/* Inverse of days_from_civil. */
	long long z = days + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long y = (long long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	buf_addf(out, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lld000Z", y, m, d, rem / 3600,
		 rem / 60 % 60, rem % 60, ms - secs * 1000);
}

void kube_url_escape(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_addc(out, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_add(out, e, 3);
		}
	}
}

const char *kube_url_redacted(struct arena *a, const char *url)
{
	const char *auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	size_t alen = strcspn(auth, "/?#");
	const char *at = NULL; /* the last '@' of the authority ends the user information */
	for (size_t i = 0; i < alen; i++)
		if (auth[i] == '@')
			at = auth + i;
	const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (!colon)
		return url;
	return arena_printf(a, "%.*s:xxxxx%s", (int)(colon - url), url, at);
}

void kube_query_add(struct buf *q, const char *key, const char *value)
{
	if (q->len)
		buf_addc(q, '&');
	kube_url_escape(q, key);
	buf_addc(q, '=');
	kube_url_escape(q, value);
}

bool kube_parse_timeout(const char *s, long long *ms)
{
	/* kubectl: "a single integer in seconds, or an integer followed by a
	 * corresponding time unit (e.g. 1s | 2m | 3h)". */
	bool all_digits = *s != '\0';
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			all_digits = false;
	if (all_digits) {
		if (strlen(s) > 9)
			return false;
		long long v = 0;
		for (const char *p = s; *p; p++)
			v = v * 10 + (*p - '0');
		*ms = v * 1000;
		return true;
	}
	return parse_duration_ms(s, ms);
}

const struct node *kube_condition(const struct node *obj, const char *type)
{
	const struct node *conds = node_at(obj, "status.conditions");
	node_seq_each(conds, c)
		if (!strcmp(node_str_or(map_get(c, "type"), ""), type))
			return c;
	return NULL;
}

const char *kube_condition_status(const struct node *obj, const char *type)
{
	const struct node *c = kube_condition(obj, type);
	return c ? node_str_or(map_get(c, "status"), "Unknown") : NULL;
}

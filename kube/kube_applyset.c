/* kube_applyset.c -- ApplySet ids, parent references and the annotations' comma lists (KEP-3659). */
#include "kube_applyset.h"
#include "arena.h"
#include "buf.h"
#include "kube_util.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- SHA-256 (FIPS 180-4); the plugin links no crypto library ---- */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t v[8];
	memcpy(v, h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) + ((v[4] & v[5]) ^ (~v[4] & v[6])) +
			      K[i] + w[i];
		uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
			      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

void applyset_sha256(const void *data, size_t n, unsigned char out[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	size_t done = 0;
	for (; n - done >= 64; done += 64)
		block(h, p + done);
	unsigned char tail[128] = { 0 };
	size_t rest = n - done;
	memcpy(tail, p + done, rest);
	tail[rest] = 0x80;
	size_t len = rest + 1 + 8 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;
	for (int i = 0; i < 8; i++)
		tail[len - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t off = 0; off < len; off += 64)
		block(h, tail + off);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
}

/* ---- ids and references ---- */

char *applyset_id(struct arena *a, const char *name, const char *ns, const char *kind, const char *group)
{
	char *gknn = arena_printf(a, "%s.%s.%s.%s", name, ns ? ns : "", kind, group ? group : "");
	unsigned char sum[32];
	applyset_sha256(gknn, strlen(gknn), sum);
	struct buf b = BUF_INIT;
	kube_base64_encode(&b, sum, sizeof(sum));
	/* RFC 4648's URL alphabet, unpadded (Go's RawURLEncoding). */
	size_t k = 0;
	for (size_t i = 0; i < b.len; i++) {
		char c = b.data[i];
		if (c != '=')
			b.data[k++] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	char *id = arena_printf(a, "applyset-%.*s-v1", (int)k, b.data);
	buf_release(&b);
	return id;
}

int applyset_parse_ref(struct arena *a, const char *s, struct applyset_ref *out, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/');
	const char *name = slash ? slash + 1 : s;
	char *res = slash ? arena_printf(a, "%.*s", (int)(slash - s), s) : arena_strdup(a, "secrets");
	if (!*name) {
		snprintf(err, errlen, "invalid --applyset \"%s\": name cannot be blank", s);
		return -1;
	}
	/* The core group may be spelt out: "secrets." or "secrets.v1" is still secrets. */
	char *dot = strchr(res, '.');
	if (dot && (!dot[1] || !strcmp(dot + 1, "v1")))
		*dot = '\0';
	if (!strcmp(res, "secrets") || !strcmp(res, "secret")) {
		*out = (struct applyset_ref){ "Secret", "secrets", name };
	} else if (!strcmp(res, "configmaps") || !strcmp(res, "configmap") || !strcmp(res, "cm")) {
		*out = (struct applyset_ref){ "ConfigMap", "configmaps", name };
	} else {
		snprintf(err, errlen,
			 "invalid --applyset \"%s\": resource \"%s\" is not permitted as an ApplySet parent "
			 "(use a Secret, the default, or configmaps/NAME)", s, res);
		return -1;
	}
	return 0;
}

char *applyset_gk(struct arena *a, const char *kind, const char *group)
{
	return group && *group ? arena_printf(a, "%s.%s", kind, group) : arena_strdup(a, kind);
}

void applyset_gk_split(struct arena *a, const char *gk, const char **kind, const char **group)
{
	const char *dot = strchr(gk, '.');
	*kind = dot ? arena_printf(a, "%.*s", (int)(dot - gk), gk) : arena_strdup(a, gk);
	*group = dot ? arena_strdup(a, dot + 1) : "";
}

char *applyset_tooling_name(struct arena *a, const char *tooling)
{
	const char *slash = strrchr(tooling, '/');
	return slash ? arena_printf(a, "%.*s", (int)(slash - tooling), tooling) : arena_strdup(a, tooling);
}

/* ---- sorted lists ---- */

void applyset_list_add(struct arena *a, struct applyset_list *l, const char *item)
{
	if (!item || !*item || applyset_list_has(l, item))
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		l->v = arena_grow(a, l->v, l->n * sizeof(*l->v), cap * sizeof(*l->v));
		l->cap = cap;
	}
	size_t i = l->n++;
	for (; i > 0 && strcmp(l->v[i - 1], item) > 0; i--)
		l->v[i] = l->v[i - 1];
	l->v[i] = arena_strdup(a, item);
}

void applyset_list_add_csv(struct arena *a, struct applyset_list *l, const char *csv)
{
	for (const char *p = csv; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		applyset_list_add(a, l, arena_printf(a, "%.*s", (int)n, p));
		p = comma ? comma + 1 : NULL;
	}
}

bool applyset_list_has(const struct applyset_list *l, const char *item)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], item))
			return true;
	return false;
}

char *applyset_list_join(struct arena *a, const struct applyset_list *l, const char *skip)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		if (skip && !strcmp(l->v[i], skip))
			continue;
		buf_addf(&b, "%s%s", b.len ? "," : "", l->v[i]);
	}
	char *s = arena_strdup(a, b.data);
	buf_release(&b);
	return s;
}

/* test_sidecar_fuzz.c -- the libFuzzer target's seed corpus, replayed in every test run.
 *
 * The same entry point as `make fuzz-sidecar`, over each seed, every
 * truncation of it (bodies cut off mid-stream) and every single-byte
 * corruption of its first 256 bytes, so the sanitizer build checks the
 * decoders on thousands of near-miss bodies without clang's fuzzer.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/fuzz_sidecar_json.c"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	char *data = malloc(1 << 20);
	*len = fread(data, 1, 1 << 20, f);
	fclose(f);
	return data;
}

Test(fuzz_corpus, seeds_truncations_and_corruptions)
{
	const char *src = getenv("FEAST_SOURCE_DIR");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/sidecar_json", src ? src : ".");
	DIR *dp = opendir(dir);
	cr_assert_not_null(dp, "no corpus at %s", dir);
	int seeds = 0;
	long runs = 0;
	for (struct dirent *e; (e = readdir(dp));) {
		if (e->d_name[0] == '.')
			continue;
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t len;
		char *data = slurp(path, &len);
		seeds++;
		for (size_t cut = 0; cut <= len; cut++, runs++)
			LLVMFuzzerTestOneInput((const uint8_t *)data, cut);
		static const char bytes[] = { '"', '\\', '{', '}', '[', ']', ',', ':', '0', 'x', '\0', (char)0xff };
		for (size_t i = 0; i < len && i < 256; i++) {
			char saved = data[i];
			for (size_t b = 0; b < sizeof(bytes); b++, runs++) {
				data[i] = bytes[b];
				LLVMFuzzerTestOneInput((const uint8_t *)data, len);
			}
			data[i] = saved;
		}
		free(data);
	}
	closedir(dp);
	cr_assert_geq(seeds, 8, "the corpus has %d seeds", seeds);
	cr_log_info("%d seeds, %ld bodies decoded", seeds, runs);
}

/* The property check is live: a decoder that dropped a field on the way
 * back would abort.  Prove the harness sees a real Lease at all. */
Test(fuzz_corpus, a_seed_lease_decodes)
{
	const char *body = "{\"metadata\":{\"resourceVersion\":\"3\"},\"spec\":{\"holderIdentity\":\"a\"}}";
	struct arena a = ARENA_INIT;
	struct diags d;
	diags_init(&d, &a);
	struct lease_obj o;
	cr_assert_eq(lease_from_node(json_parse(&a, body, strlen(body), "t", &d), &o), 0);
	cr_assert_str_eq(o.rec.holder, "a");
	LLVMFuzzerTestOneInput((const uint8_t *)body, strlen(body));
	arena_free(&a);
}

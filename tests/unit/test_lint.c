/* test_lint.c -- the lint engine's edges: disable comments, percent rounding, image references,
 * the opts_suggest() distance, and init's refusals. */
#include "rules_util.h"

#include "init_spec.h"
#include "lint.h"
#include "opts.h"

TestSuite(lint, .init = suite_setup, .fini = suite_teardown);

#define SCALED_DB                                                                                          \
	"    onlineStore:\n      persistence:\n        store:\n          type: redis\n          secretRef:\n"   \
	"            name: s\n    registry:\n      local:\n        persistence:\n          store:\n"             \
	"            type: sql\n            secretRef:\n              name: s\n"

/* Lint `text` (one stream); the rule ids found, space-separated. */
static const char *lint_text(const char *text, const struct lint_opts *o)
{
	struct doclist l = { 0 };
	const char *copy = arena_strdup(&A, text);
	cr_assert_eq(yaml_parse(&A, "t.yaml", copy, strlen(copy), NULL, &l, &D), 0);
	cr_assert_eq(check_documents(&A, &l, &D), 0, "test input must validate: %s", D.n ? D.v[0].msg : "");
	struct diags found;
	diags_init(&found, &A);
	struct lint_opts none = { 0 };
	lint_documents(&A, &l, o ? o : &none, &found);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < found.n; i++)
		buf_addf(&b, "%s%s", i ? " " : "", found.v[i].rule);
	const char *s = arena_strdup(&A, b.data ? b.data : "");
	buf_release(&b);
	return s;
}

static const char *pdb_store(const char *replicas, const char *pdb, const char *comment_line)
{
	return arena_printf(&A, "%sapiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: s\nspec:\n"
				"  feastProject: s\n  replicas: %s\n  services:\n    podDisruptionBudgets:\n      %s\n" SCALED_DB,
			    comment_line, replicas, pdb);
}

Test(lint, percentages_round_up_as_the_disruption_controller_does)
{
	/* minAvailable 50% of 3 is 2 (rounded up): one pod may go. */
	cr_assert_str_eq(lint_text(pdb_store("3", "minAvailable: 50%", ""), NULL), "");
	/* 67% of 3 is 2.01, rounded up to 3: none may go. */
	cr_assert_str_eq(lint_text(pdb_store("3", "minAvailable: 67%", ""), NULL), "pdb-no-disruption");
	/* maxUnavailable 1% of 3 rounds up to 1. */
	cr_assert_str_eq(lint_text(pdb_store("3", "maxUnavailable: 1%", ""), NULL), "");
	cr_assert_str_eq(lint_text(pdb_store("3", "maxUnavailable: 0", ""), NULL), "pdb-no-disruption");
}

Test(lint, disable_comments)
{
	const char *rule = "# kubectl-feast: disable=pdb-no-disruption\n";
	/* Among the file's leading comments: the whole file. */
	cr_assert_str_eq(lint_text(pdb_store("3", "minAvailable: 3", rule), NULL), "");
	cr_assert_str_eq(lint_text(pdb_store("3", "minAvailable: 3", "# kubectl-feast: disable=all\n"), NULL), "");
	/* At the end of the line, in a list. */
	cr_assert_str_eq(lint_text(pdb_store("3", "minAvailable: 3  # kubectl-feast: disable=x,pdb-no-disruption", ""),
				   NULL),
			 "");
	/* Another rule, or a prefix of the id, leaves it. */
	cr_assert_str_eq(lint_text(pdb_store("3", "minAvailable: 3  # kubectl-feast: disable=pdb-no", ""), NULL),
			 "pdb-no-disruption");
	/* A leading comment after content is not file-wide. */
	cr_assert_str_eq(lint_text(arena_printf(&A, "%s%s", pdb_store("3", "minAvailable: 3", ""), rule), NULL),
			 "pdb-no-disruption");
}

Test(lint, image_references)
{
	static const struct {
		const char *image;
		bool fires;
	} cases[] = {
		{ "feast", true },
		{ "feast:latest", true },
		{ "localhost:5000/feast", true },
		{ "localhost:5000/feast:0.66.0", false },
		{ "quay.io/feastdev/feature-server@sha256:00", false },
		{ "feast:0.66", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *doc = arena_printf(&A, "apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: s\n"
						   "spec:\n  feastProject: s\n  services:\n    onlineStore:\n"
						   "      server:\n        image: %s\n",
					       cases[i].image);
		cr_assert_str_eq(lint_text(doc, NULL), cases[i].fires ? "image-unpinned" : "", "%s", cases[i].image);
	}
}

Test(lint, every_rule_row_is_complete)
{
	for (size_t i = 0; i < lint_rule_count; i++) {
		const struct lint_rule *r = &lint_rules[i];
		cr_assert(r->id && *r->id && r->field && *r->field && r->reason && *r->reason && r->fix && *r->fix);
		cr_assert_eq(lint_rule_find(r->id), r, "duplicate id %s", r->id);
	}
}

Test(lint, suggestions)
{
	const char *const names[] = { "render", "validate", "lint", "version" };
	char err[256] = "unknown";
	opts_suggest(err, sizeof(err), "rendre", 6, names, 4, "");
	cr_assert_str_eq(err, "unknown\n\nDid you mean this?\n\trender\n");
	snprintf(err, sizeof(err), "x");
	opts_suggest(err, sizeof(err), "frobnicate", 10, names, 4, "");
	cr_assert_str_eq(err, "x");
	/* A prefix of two letters or more. */
	snprintf(err, sizeof(err), "x");
	opts_suggest(err, sizeof(err), "ver", 3, names, 4, "--");
	cr_assert_str_eq(err, "x\n\nDid you mean this?\n\t--version\n");
}

Test(lint, init_refuses_what_lint_would_flag)
{
	struct init_opts o = { .name = "s", .online = INIT_ONLINE_POSTGRES, .registry = INIT_REGISTRY_SQL };
	struct buf b = BUF_INIT;
	char err[256];
	cr_assert_eq(init_spec(&b, &o, err, sizeof(err)), 0);
	cr_assert_eq(init_verify(&A, b.data, b.len, &D), 0);
	buf_release(&b);
	o.min = 1, o.max = 3;
	cr_assert_eq(init_spec(&b, &o, err, sizeof(err)), -1);
	cr_assert(strstr(err, "floor of 1"));
	o.min = 2, o.pdb_key = "minAvailable", o.pdb_value = 2;
	cr_assert_eq(init_spec(&b, &o, err, sizeof(err)), -1);
	cr_assert(strstr(err, "lets no pod go at 2 replicas"), "%s", err);
	buf_release(&b);
}

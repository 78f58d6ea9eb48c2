/* test_opts.c -- option tables: dispatch by group (opt_in) and the per-command clash check. */
#include <criterion/criterion.h>
#include <string.h>

#include "opts.h"

static const struct opt mine[] = {
	{ "health", 0, OPT_VALUE, 1, NULL, NULL, NULL, NULL, 0 },
	{ "period", 0, OPT_VALUE, 2, NULL, NULL, NULL, NULL, 0 },
	OPT_END,
};
static const struct opt theirs[] = {
	{ "kubeconfig", 0, OPT_VALUE, 1, NULL, NULL, NULL, NULL, 0 },
	{ "namespace", 'n', OPT_VALUE, 3, NULL, NULL, NULL, NULL, 0 },
	OPT_END,
};
static const struct opt other[] = {
	{ "name", 'n', OPT_VALUE, 7, NULL, NULL, NULL, NULL, 0 },
	{ "period", 0, OPT_VALUE, 8, NULL, NULL, NULL, NULL, 0 },
	OPT_END,
};

Test(opts, opt_in_is_by_table_not_by_id)
{
	cr_assert(opt_in(mine, &mine[0]));
	cr_assert(!opt_in(mine, &theirs[0]), "same id, other table");
	cr_assert(!opt_in(theirs, &mine[1]));
}

Test(opts, check_names_the_options_that_share_an_id)
{
	char err[200];
	const struct opt *const clash[] = { mine, theirs, NULL };
	cr_assert_eq(opts_check(clash, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "--health and --kubeconfig share an option id (id 1, 1)");
	const struct opt *const alone[] = { mine, NULL };
	cr_assert_eq(opts_check(alone, err, sizeof(err)), 0);
}

Test(opts, check_finds_shared_names)
{
	char err[200];
	const struct opt *const names[] = { mine, other, NULL };
	cr_assert_eq(opts_check(names, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "--period and --period share an option long name (id 2, 8)");
	const struct opt *const shorts[] = { theirs, other, NULL };
	cr_assert_eq(opts_check(shorts, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "--namespace and --name share an option short name (id 3, 7)");
}

/* test_job_follow.c -- a Job from a CronJob as kubectl makes it, and the shard progress state machine. */
#include <criterion/criterion.h>
#include <string.h>

#include "buf.h"
#include "doc.h"
#include "job_follow.h"
#include "shards.h"
#include "yaml_in.h"

#include "suite.h"

TestSuite(job_follow, .init = suite_setup, .fini = suite_teardown);

static struct node *yaml(const char *text)
{
	struct doclist l = { 0 };
	cr_assert_eq(yaml_parse(&A, "t", text, strlen(text), NULL, &l, &D), 0);
	return l.v[0].root;
}

static const char JOB3[] = "metadata: {name: feast-s-abcde}\nspec: {completions: 3, completionMode: Indexed}\n";

/* A pod of shard `i` in `phase`, as the Job controller annotates it. */
static const char *pod(int i, const char *phase)
{
	return arena_printf(&A, "- metadata: {annotations: {batch.kubernetes.io/job-completion-index: \"%d\"}}\n"
				"  status: {phase: %s}\n", i, phase);
}

static const char *step(struct job_follow *f, const char *job, const char *pods)
{
	struct buf out = BUF_INIT;
	job_follow_update(f, yaml(job), pods ? yaml(pods) : NULL, &out);
	const char *s = arena_strndup(&A, out.data ? out.data : "", out.len);
	buf_release(&out);
	return s;
}

Test(job_follow, says_each_change_once_in_shard_order)
{
	struct job_follow f;
	job_follow_init(&f, yaml(JOB3));
	cr_assert_eq(f.shards, 3);
	cr_assert_str_eq(step(&f, JOB3, NULL), "");
	const char *pods = arena_printf(&A, "%s%s", pod(1, "Pending"), pod(0, "Running"));
	cr_assert_str_eq(step(&f, JOB3, pods), "shard 0 of 3: running\nshard 1 of 3: pending\n");
	cr_assert_str_eq(step(&f, JOB3, pods), "", "the same state again says nothing");
	/* Shard 1's first pod fails, the controller makes a second one. */
	pods = arena_printf(&A, "%s%s%s%s", pod(0, "Running"), pod(1, "Failed"), pod(1, "Pending"), pod(2, "Running"));
	cr_assert_str_eq(step(&f, JOB3, pods), "shard 1 of 3: pending (after 1 failed pod)\nshard 2 of 3: running\n");
	const char *done = "metadata: {name: feast-s-abcde}\nspec: {completions: 3}\n"
			   "status: {completedIndexes: \"0-2\", conditions: [{type: Complete, status: \"True\"}]}\n";
	cr_assert_str_eq(step(&f, done, pods),
			 "shard 0 of 3: succeeded\nshard 1 of 3: succeeded (after 1 failed pod)\n"
			 "shard 2 of 3: succeeded\njob.batch/feast-s-abcde complete: 3 of 3 shards succeeded\n");
	cr_assert_eq(f.verdict, JOB_COMPLETE);
	cr_assert_str_eq(step(&f, done, pods), "", "nothing after the verdict");
}

Test(job_follow, a_failed_index_fails_the_job_with_its_message)
{
	struct job_follow f;
	job_follow_init(&f, yaml(JOB3));
	const char *job = "metadata: {name: j}\nspec: {completions: 3}\n"
			  "status: {completedIndexes: \"0,2\", failedIndexes: \"1\", conditions: [{type: Failed, "
			  "status: \"True\", reason: FailedIndexes, message: Job has failed indexes}]}\n";
	const char *pods = arena_printf(&A, "%s%s%s%s", pod(1, "Failed"), pod(1, "Failed"), pod(1, "Failed"),
					pod(0, "Succeeded"));
	cr_assert_str_eq(step(&f, job, pods), "shard 0 of 3: succeeded\nshard 1 of 3: failed\nshard 2 of 3: succeeded\n"
					      "job.batch/j failed: 2 of 3 shards succeeded: Job has failed indexes\n");
	cr_assert_eq(f.verdict, JOB_FAILED);
	cr_assert_eq(f.failed_pods[1], 3);
}

Test(job_follow, a_job_that_is_not_indexed_is_one_shard)
{
	struct job_follow f;
	const char *job = "metadata: {name: one}\nspec: {}\n";
	job_follow_init(&f, yaml(job));
	cr_assert_eq(f.shards, 1);
	cr_assert_str_eq(step(&f, job, "- status: {phase: Running}\n"), "shard 0 of 1: running\n");
	cr_assert_str_eq(step(&f, "metadata: {name: one}\nstatus: {conditions: [{type: Complete, status: \"True\"}]}\n",
			      "- status: {phase: Succeeded}\n"),
			 "shard 0 of 1: succeeded\njob.batch/one complete: 1 of 1 shards succeeded\n");
}

Test(job_follow, pods_of_unknown_indexes_are_ignored)
{
	struct job_follow f;
	job_follow_init(&f, yaml(JOB3));
	const char *pods = "- metadata: {annotations: {batch.kubernetes.io/job-completion-index: \"7\"}}\n"
			   "  status: {phase: Running}\n"
			   "- metadata: {annotations: {batch.kubernetes.io/job-completion-index: x}}\n"
			   "  status: {phase: Running}\n";
	cr_assert_str_eq(step(&f, JOB3, pods), "");
}

static const char SHARDED_CJ[] =
	"metadata: {name: feast-s, namespace: feast, uid: u-1}\n"
	"spec:\n"
	"  jobTemplate:\n"
	"    metadata: {annotations: {a: b}}\n"
	"    spec:\n"
	"      completions: 3\n"
	"      parallelism: 3\n"
	"      completionMode: Indexed\n"
	"      template:\n"
	"        spec:\n"
	"          containers:\n"
	"          - name: materialize\n"
	"            env: [{name: X, value: y}, {name: FEAST_MATERIALIZE_SHARDS, value: \"3\"}]\n";

Test(job_follow, job_from_cronjob_is_kubectl_create_job_from)
{
	const char *err = NULL;
	struct node *job = job_from_cronjob(&A, yaml(SHARDED_CJ), 0, &err);
	cr_assert_not_null(job, "%s", err);
	cr_assert_str_eq(node_str_or(node_at(job, "metadata.generateName"), ""), "feast-s-");
	cr_assert_str_eq(node_str_or(node_at(job, "metadata.namespace"), ""), "feast");
	const struct node *ann = node_at(job, "metadata.annotations");
	cr_assert_str_eq(node_str_or(map_get(ann, "cronjob.kubernetes.io/instantiate"), ""), "manual");
	cr_assert_str_eq(node_str_or(map_get(ann, "a"), ""), "b");
	const struct node *owner = node_at(job, "metadata.ownerReferences")->u.seq.v[0];
	cr_assert_str_eq(node_str_or(map_get(owner, "kind"), ""), "CronJob");
	cr_assert_str_eq(node_str_or(map_get(owner, "uid"), ""), "u-1");
	cr_assert(node_is_true(map_get(owner, "controller")));
	int64_t n = 0;
	cr_assert(node_get_int(node_at(job, "spec.completions"), &n) && n == 3);
}

Test(job_follow, shards_override_count_and_env)
{
	const char *err = NULL;
	struct node *cj = yaml(SHARDED_CJ);
	struct node *job = job_from_cronjob(&A, cj, 5, &err);
	cr_assert_not_null(job, "%s", err);
	int64_t c = 0, p = 0;
	cr_assert(node_get_int(node_at(job, "spec.completions"), &c) && c == 5);
	cr_assert(node_get_int(node_at(job, "spec.parallelism"), &p) && p == 5);
	const struct node *env = map_get(node_at(job, "spec.template.spec.containers")->u.seq.v[0], "env");
	cr_assert_str_eq(node_str_or(map_get(seq_find_by(env, "name", JOB_SHARDS_ENV), "value"), ""), "5");
	/* The CronJob itself is left alone. */
	cr_assert(node_get_int(node_at(cj, "spec.jobTemplate.spec.completions"), &c) && c == 3);
}

Test(job_follow, one_pod_cronjob_takes_only_one_shard)
{
	const char *one = "metadata: {name: feast-s}\nspec: {jobTemplate: {spec: {template: {spec: {containers: "
			  "[{name: feast-1}]}}}}}\n";
	const char *err = NULL;
	cr_assert_null(job_from_cronjob(&A, yaml(one), 2, &err));
	cr_assert(strstr(err, "--materialize-shards"));
	cr_assert_not_null(job_from_cronjob(&A, yaml(one), 1, &err));
	cr_assert_null(job_from_cronjob(&A, yaml("metadata: {name: x}\n"), 0, &err));
}

Test(job_follow, shard_rules_helpers)
{
	cr_assert(shards_is_materialize("feast materialize-incremental $(date)"));
	cr_assert(shards_is_materialize("  feast  materialize 2024-01-01 2024-02-01"));
	cr_assert_not(shards_is_materialize("feast apply"));
	cr_assert_not(shards_is_materialize("feast materializer"));
	cr_assert_not(shards_is_materialize("feastmaterialize"));
	cr_assert_eq(shards_annotation(yaml("metadata: {annotations: {feast.dev/materialize-shards: \"4\"}}\n")), 4);
	cr_assert_eq(shards_annotation(yaml("metadata: {annotations: {feast.dev/materialize-shards: \"65\"}}\n")), -1);
	cr_assert_eq(shards_annotation(yaml("metadata: {annotations: {feast.dev/materialize-shards: \"0\"}}\n")), -1);
	cr_assert_eq(shards_annotation(yaml("metadata: {name: x}\n")), 0);
	cr_assert_eq(shards_effective(yaml("metadata: {annotations: {feast.dev/materialize-shards: \"2\"}}\n"), 4), 2);
	cr_assert_eq(shards_effective(yaml("metadata: {name: x}\n"), 4), 4);
	cr_assert_eq(shards_effective(yaml("metadata: {name: x}\n"), 0), 1);
}

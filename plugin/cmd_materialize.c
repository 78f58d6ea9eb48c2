/* cmd_materialize.c -- `kubectl feast materialize NAME`: one run of the store's materialization CronJob now. */
#include "buf.h"
#include "cli.h"
#include "doc.h"
#include "job_follow.h"
#include "kube_util.h"
#include "cli_cluster.h"

#include <string.h>
#include <time.h>

#define DEFAULT_WAIT_MS (30 * 60 * 1000LL)
#define POLL_MS 1000

enum { OPT_SHARDS = 1, OPT_WAIT };

static const struct opt materialize_opts[] = {
	{ "shards", 0, OPT_VALUE, OPT_SHARDS, "N", NULL, NULL,
	  "Run this time in N shards instead of the CronJob's count (a CronJob rendered with "
	  "--materialize-shards; one that runs in one pod takes only 1).", 0 },
	{ "wait", 0, OPT_OPTIONAL, OPT_WAIT, "TIMEOUT", NULL, NULL,
	  "Follow the Job until it completes or fails, one line per shard whose state changes; "
	  "TIMEOUT defaults to 30m, 0 waits without limit.  Exit 4 when it runs out.", 0 },
	OPT_END,
};

static const struct opt *const groups[] = { materialize_opts, kube_flag_opts, help_opts, NULL };

struct materialize_args {
	struct rec_session s;
	int shards;
	bool wait;
	long long wait_ms;
	const char *name, *ns;
};

static int on_opt(void *ctx, const struct opt *o, const char *value, char *err, size_t errlen)
{
	struct materialize_args *v = ctx;
	if (o->id == OPT_SHARDS && (!parse_count(value, &v->shards) || v->shards < 1 || v->shards > JOB_MAX_SHARDS))
		return snprintf(err, errlen, "invalid argument \"%s\" for \"--shards\" flag: want 1 to %d", value,
				JOB_MAX_SHARDS), -1;
	if (o->id == OPT_WAIT)
		return wait_flag_set(value, DEFAULT_WAIT_MS, &v->wait, &v->wait_ms, err, errlen);
	return 0;
}

static const char *path_of(struct materialize_args *v, const char *kind, const char *name)
{
	return kube_path(&v->s.a, kube_resource_builtin("batch/v1", kind), v->ns, name, NULL);
}

/* POST the Job; *out is the server's answer (with the generated name). */
static int create_job(struct materialize_args *v, struct node *job, struct node **out)
{
	struct kube_req req = { .method = "POST", .path = path_of(v, "Job", NULL), .obj = job,
				.query = "fieldManager=kubectl-feast" };
	struct kube_response r;
	if (rec_request(&v->s, &req, &r) < 0)
		return -1;
	if (!kube_ok(&r))
		return kube_fail(&v->s.d, &r);
	*out = r.body;
	return 0;
}

static void pause_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Poll the Job and its pods until it has finished or the deadline passed. */
static int follow(struct materialize_args *v, const char *job_name)
{
	struct rec_session *s = &v->s;
	long long deadline = v->wait_ms ? kube_now_ms() + v->wait_ms : 0;
	struct buf q = BUF_INIT;
	kube_query_add(&q, "labelSelector", arena_printf(&s->a, "batch.kubernetes.io/job-name=%s", job_name));
	const char *pods_path = kube_path(&s->a, kube_resource_builtin("v1", "Pod"), v->ns, NULL, NULL);
	const char *query = arena_strndup(&s->a, q.data, q.len);
	buf_release(&q);
	struct job_follow f;
	bool init = false;
	for (;;) {
		struct node *job = NULL, *pods = NULL;
		if (rec_get_path(s, path_of(v, "Job", job_name), NULL, &job) < 0 ||
		    rec_get_path(s, pods_path, query, &pods) < 0)
			return EXIT_CLUSTER;
		if (!job) {
			diag_error(&s->d, NULL, "", "job.batch/%s is gone: it was deleted while waiting", job_name);
			return EXIT_CLUSTER;
		}
		if (!init)
			job_follow_init(&f, job), init = true;
		struct buf out = BUF_INIT;
		job_follow_update(&f, job, map_get(pods, "items"), &out);
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
		fflush(stdout);
		buf_release(&out);
		if (f.verdict != JOB_RUNNING)
			return f.verdict == JOB_COMPLETE ? EXIT_OK : EXIT_INVALID;
		if (deadline && kube_now_ms() >= deadline) {
			diag_error(&s->d, NULL, "", "timed out after %.1fs waiting for job.batch/%s to finish",
				   (double)v->wait_ms / 1000.0, job_name);
			return EXIT_TIMEOUT;
		}
		pause_ms(POLL_MS);
	}
}

static int materialize_run(struct materialize_args *v)
{
	if (rec_config(&v->s) < 0)
		return EXIT_CLUSTER;
	rec_print(&v->s);
	if (rec_connect(&v->s) < 0)
		return EXIT_CLUSTER;
	v->ns = v->s.cfg.namespace;
	const char *cj_name = arena_printf(&v->s.a, "feast-%s", v->name);
	struct node *cj = NULL, *created = NULL;
	if (rec_get_path(&v->s, path_of(v, "CronJob", cj_name), NULL, &cj) < 0)
		return EXIT_CLUSTER;
	if (!cj) {
		diag_error(&v->s.d, NULL, "", "cronjob.batch/%s not found in namespace %s: the store has no "
			   "spec.cronJob, or it is not applied there", cj_name, v->ns);
		return EXIT_CLUSTER;
	}
	const char *err = NULL;
	struct node *job = job_from_cronjob(&v->s.a, cj, v->shards, &err);
	if (!job) {
		diag_error(&v->s.d, NULL, "", "cronjob.batch/%s %s", cj_name, err);
		return EXIT_INVALID;
	}
	if (create_job(v, job, &created) < 0)
		return EXIT_CLUSTER;
	const char *job_name = node_str_or(node_at(created, "metadata.name"), "");
	int64_t shards = 1;
	node_get_int(node_at(created, "spec.completions"), &shards);
	printf("job.batch/%s created (%lld shard%s)\n", job_name, (long long)shards, shards == 1 ? "" : "s");
	fflush(stdout);
	return v->wait ? follow(v, job_name) : EXIT_OK;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	struct materialize_args v;
	memset(&v, 0, sizeof(v));
	char *pos[argc + 1];
	struct opt_args args = { pos, 0, NULL, 0 };
	int rc = rec_parse(cmd, argc, argv, on_opt, &v, &v.s, &args);
	if (rc == CMD_RUN && !args.n)
		rc = usage_error(cmd, "must name the FeatureStore: kubectl feast materialize NAME");
	if (rc == CMD_RUN && args.n > 1)
		rc = usage_error(cmd, "unexpected argument \"%s\"", args.v[1]);
	if (rc == CMD_RUN) {
		v.name = args.v[0];
		rc = materialize_run(&v);
	}
	return rec_finish(&v.s, rc);
}

const struct command cmd_materialize = {
	"materialize",
	"Run a store's materialization now: a Job from its CronJob, followed shard by shard.",
	"kubectl feast materialize NAME [--shards N] [--wait[=TIMEOUT]] [kubectl connection flags]",
	"NAME is the FeatureStore's name: the Job is made from its CronJob feast-NAME (rendered for\n"
	"spec.cronJob) as `kubectl create job --from=cronjob/feast-NAME` makes it: the job template,\n"
	"the annotation cronjob.kubernetes.io/instantiate: manual and the CronJob as its owner; its\n"
	"name is feast-NAME- and five generated characters.  A CronJob rendered with\n"
	"--materialize-shards runs an Indexed Job: each shard materializes the feature views whose\n"
	"position in name order is its index modulo the shard count; --shards N changes the count\n"
	"for this run.  With --wait it prints one line each time a shard is pending, running,\n"
	"succeeded or failed (with the pods it lost on the way), and a last line with the Job's\n"
	"verdict.\n"
	"\n"
	"Exit codes: 0 created (with --wait: every shard succeeded), 1 the Job failed or the CronJob\n"
	"cannot run that many shards, 2 usage, 3 cluster or API failure (also when there is no\n"
	"CronJob), 4 --wait timed out.",
	groups, run,
};

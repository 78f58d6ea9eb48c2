/* job_follow.c -- a Job from a CronJob, as kubectl makes it, and the progress of its shards. */
#include "job_follow.h"
#include "kube_util.h"

#include "arena.h"
#include "buf.h"
#include "doc.h"

#include <stdlib.h>
#include <string.h>

#define INDEX_KEY "batch.kubernetes.io/job-completion-index"

const char *shard_state_name(enum shard_state s)
{
	static const char *const names[] = { "waiting", "pending", "running", "succeeded", "failed" };
	return names[s];
}

void job_follow_init(struct job_follow *f, const struct node *job)
{
	memset(f, 0, sizeof(*f));
	int64_t n = 1;
	if (!node_get_int(node_at(job, "spec.completions"), &n) || n < 1)
		n = 1;
	f->shards = n > JOB_MAX_SHARDS ? JOB_MAX_SHARDS : (int)n;
}

/* Is `i` in an index set as the Job controller writes it: "0,2-4,7"? */
static bool in_set(const char *s, int i)
{
	while (s && *s) {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;
		if (end == s)
			return false;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (i >= lo && i <= hi)
			return true;
		s = *end == ',' ? end + 1 : NULL;
	}
	return false;
}

/* The Job's condition of that type is True. */
static bool condition(const struct node *job, const char *type)
{
	const char *status = kube_condition_status(job, type);
	return status && !strcmp(status, "True");
}

/* The shard a pod runs: its completion index, 0 for a Job that is not Indexed; -1 for junk. */
static int pod_index(const struct node *pod, int shards)
{
	const char *s = node_str_or(map_get(node_at(pod, "metadata.annotations"), INDEX_KEY), NULL);
	if (!s)
		s = node_str_or(map_get(node_at(pod, "metadata.labels"), INDEX_KEY), NULL);
	if (!s)
		return shards == 1 ? 0 : -1;
	char *end;
	long i = strtol(s, &end, 10);
	return *s && !*end && i >= 0 && i < shards ? (int)i : -1;
}

static enum shard_state from_pods(const struct node *pods, int shard, int shards, int *failed)
{
	bool running = false, pending = false, succeeded = false;
	*failed = 0;
	node_seq_each(pods, p) {
		if (pod_index(p, shards) != shard)
			continue;
		const char *phase = node_str_or(node_at(p, "status.phase"), "Pending");
		running |= !strcmp(phase, "Running");
		pending |= !strcmp(phase, "Pending");
		succeeded |= !strcmp(phase, "Succeeded");
		*failed += !strcmp(phase, "Failed");
	}
	return running ? SHARD_RUNNING : pending ? SHARD_PENDING : succeeded ? SHARD_SUCCEEDED : SHARD_WAITING;
}

static void finished(struct job_follow *f, const struct node *job, struct buf *out)
{
	int ok = 0;
	for (int i = 0; i < f->shards; i++)
		ok += f->state[i] == SHARD_SUCCEEDED;
	const char *name = node_str_or(node_at(job, "metadata.name"), "");
	if (f->verdict == JOB_COMPLETE) {
		buf_addf(out, "job.batch/%s complete: %d of %d shards succeeded\n", name, ok, f->shards);
		return;
	}
	const struct node *c = node_at(job, "status.conditions");
	const char *why = "";
	node_seq_each(c, cond)
		if (!strcmp(node_str_or(map_get(cond, "type"), ""), "Failed"))
			why = node_str_or(map_get(cond, "message"), node_str_or(map_get(cond, "reason"), ""));
	buf_addf(out, "job.batch/%s failed: %d of %d shards succeeded%s%s\n", name, ok, f->shards, *why ? ": " : "",
		 why);
}

int job_follow_update(struct job_follow *f, const struct node *job, const struct node *pods, struct buf *out)
{
	int lines = 0;
	if (f->verdict != JOB_RUNNING)
		return 0;
	const char *done = node_str_or(node_at(job, "status.completedIndexes"), "");
	const char *failed = node_str_or(node_at(job, "status.failedIndexes"), "");
	bool complete = condition(job, "Complete"), job_failed = condition(job, "Failed");
	for (int i = 0; i < f->shards; i++) {
		int nfail = 0;
		enum shard_state s = from_pods(pods, i, f->shards, &nfail);
		if (in_set(done, i) || (complete && f->shards == 1))
			s = SHARD_SUCCEEDED;
		else if (in_set(failed, i) || (job_failed && s != SHARD_SUCCEEDED && nfail))
			s = SHARD_FAILED;
		if (f->started && s == f->state[i] && nfail == f->failed_pods[i])
			continue;
		if (!f->started && s == SHARD_WAITING && !nfail) {
			f->state[i] = s;
			continue;
		}
		f->state[i] = s;
		f->failed_pods[i] = nfail;
		buf_addf(out, "shard %d of %d: %s", i, f->shards, shard_state_name(s));
		if (nfail && s != SHARD_FAILED)
			buf_addf(out, " (after %d failed pod%s)", nfail, nfail == 1 ? "" : "s");
		buf_addc(out, '\n');
		lines++;
	}
	f->started = true;
	if (complete || job_failed) {
		f->verdict = complete ? JOB_COMPLETE : JOB_FAILED;
		finished(f, job, out);
		lines++;
	}
	return lines;
}

static struct node *materialize_env(struct node *spec)
{
	const struct node *cs = node_at(spec, "template.spec.containers");
	struct node *c = seq_find_by(cs, "name", JOB_SHARD_CONTAINER);
	return seq_find_by(map_get(c, "env"), "name", JOB_SHARDS_ENV);
}

struct node *job_from_cronjob(struct arena *a, const struct node *cj, int shards, const char **err)
{
	const struct node *tmpl = node_at(cj, "spec.jobTemplate");
	const char *name = node_str_or(node_at(cj, "metadata.name"), "");
	struct node *spec = node_clone(a, map_get(tmpl, "spec"));
	if (!spec || spec->kind != NODE_MAP) {
		*err = "the CronJob has no spec.jobTemplate.spec";
		return NULL;
	}
	struct node *env = materialize_env(spec);
	bool indexed = !strcmp(node_str_or(map_get(spec, "completionMode"), ""), "Indexed") && env;
	if (shards > 1 && !indexed) {
		*err = "runs in one pod, not in shards: render or apply the store with --materialize-shards N "
		       "(or its feast.dev/materialize-shards annotation) to shard it";
		return NULL;
	}
	if (shards > 0 && indexed) {
		map_set(a, spec, "completions", node_int(a, shards));
		map_set(a, spec, "parallelism", node_int(a, shards));
		map_set(a, env, "value", node_str(a, arena_printf(a, "%d", shards)));
	}
	struct node *job = node_map(a, NULL), *meta = node_map(a, NULL), *ann = node_map(a, NULL);
	map_put(a, job, "apiVersion", node_str(a, "batch/v1"));
	map_put(a, job, "kind", node_str(a, "Job"));
	map_put(a, meta, "generateName", node_str(a, arena_printf(a, "%s-", name)));
	const char *ns = node_str_or(node_at(cj, "metadata.namespace"), NULL);
	if (ns)
		map_put(a, meta, "namespace", node_str(a, ns));
	const struct node *labels = node_at(tmpl, "metadata.labels");
	if (labels && labels->kind == NODE_MAP)
		map_put(a, meta, "labels", node_clone(a, labels));
	map_put(a, ann, "cronjob.kubernetes.io/instantiate", node_str(a, "manual"));
	const struct node *from = node_at(tmpl, "metadata.annotations");
	node_map_each(from, p)
		map_set(a, ann, p->key, node_clone(a, p->val));
	map_put(a, meta, "annotations", ann);
	struct node *owner = node_map(a, NULL), *owners = node_seq(a, NULL);
	map_put(a, owner, "apiVersion", node_str(a, "batch/v1"));
	map_put(a, owner, "kind", node_str(a, "CronJob"));
	map_put(a, owner, "name", node_str(a, name));
	map_put(a, owner, "uid", node_str(a, node_str_or(node_at(cj, "metadata.uid"), "")));
	map_put(a, owner, "controller", node_bool(a, true));
	seq_push(a, owners, owner);
	map_put(a, meta, "ownerReferences", owners);
	map_put(a, job, "metadata", meta);
	map_put(a, job, "spec", spec);
	return job;
}

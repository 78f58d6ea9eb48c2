/*
 * job_follow.h -- one run of a materialization CronJob now, and its progress per shard.
 *
 * job_from_cronjob() builds the Job `kubectl create job --from=cronjob/NAME` makes (job
 * template, cronjob.kubernetes.io/instantiate: manual, the CronJob as controller owner),
 * named by generateName NAME-.  shards > 0 sets the Indexed Job's completions, parallelism
 * and the materialize container's FEAST_MATERIALIZE_SHARDS; a one-pod CronJob takes only 1.
 *
 * struct job_follow is sans-I/O: job_follow_update() takes the Job and its pods as the API
 * server returned them and appends a line per shard whose state changed, then one with the
 * verdict.  States come from completedIndexes and failedIndexes, else from the pods of that
 * index (batch.kubernetes.io/job-completion-index; not Indexed: shard 0 of 1).
 *
 * Memory: job_from_cronjob() allocates in `a`, sharing nothing with its input; struct
 * job_follow holds no pointers.
 */
#ifndef FEAST_JOB_FOLLOW_H
#define FEAST_JOB_FOLLOW_H

#include <stdbool.h>

struct arena;
struct buf;
struct node;

#define JOB_MAX_SHARDS 64
#define JOB_SHARDS_ENV "FEAST_MATERIALIZE_SHARDS"
#define JOB_SHARD_CONTAINER "materialize"

enum shard_state { SHARD_WAITING, SHARD_PENDING, SHARD_RUNNING, SHARD_SUCCEEDED, SHARD_FAILED };
enum job_verdict { JOB_RUNNING, JOB_COMPLETE, JOB_FAILED };

struct job_follow {
	int shards;
	enum shard_state state[JOB_MAX_SHARDS];
	int failed_pods[JOB_MAX_SHARDS];
	enum job_verdict verdict;
	bool started;          /* a first update was taken */
};

/* `shards` from the Job's spec.completions (1 when it has none). */
void job_follow_init(struct job_follow *f, const struct node *job);
/* Returns the number of lines appended to `out`. */
int job_follow_update(struct job_follow *f, const struct node *job, const struct node *pods, struct buf *out);
/* "succeeded" etc. */
const char *shard_state_name(enum shard_state s);

/* NULL with *err set when the CronJob cannot run `shards` (0: as it is). */
struct node *job_from_cronjob(struct arena *a, const struct node *cronjob, int shards, const char **err);

#endif

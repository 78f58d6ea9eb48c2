# cluster_materialize.sh -- `kubectl feast materialize NAME` against the real control plane:
# the Job it creates from the store's CronJob is what `kubectl create job --from` makes
# (annotation cronjob.kubernetes.io/instantiate: manual, the CronJob as controller owner),
# --shards changes the Indexed Job's count and the shards' FEAST_MATERIALIZE_SHARDS, and
# --wait follows the real Job controller's pods (kwok completes Job pods) shard by shard to
# the Job's verdict; a run whose pods cannot be scheduled times out with exit 4.  The shard
# state machine itself is tests/unit/test_job_follow.c.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start feast

CRON='  cronJob: {schedule: "0 * * * *"}'
feature_store shop feast "" "$CRON" >shop.yaml
"$FEAST" apply -f shop.yaml --materialize-shards 3 >/dev/null 2>err || { cat err >&2; fail "apply shop failed"; }
[ "$(kubectl get cronjob feast-shop -n feast -o jsonpath='{.spec.jobTemplate.spec.completionMode}')" = Indexed ] ||
	fail "the CronJob's Job is not Indexed"
# scale NAME re-renders with the flags apply stored: the CronJob stays in three shards.
"$FEAST" scale shop -n feast --replicas=2 >/dev/null 2>err || { cat err >&2; fail "scale shop failed"; }
[ "$(kubectl get cronjob feast-shop -n feast -o jsonpath='{.spec.jobTemplate.spec.completions}')" = 3 ] ||
	fail "scale dropped the shards: $(kubectl get deploy feast-shop -n feast -o jsonpath='{.metadata.annotations}')"
# The annotation shards this one; its pods ask for a node label no node has.
feature_store stuck feast "    nodeSelector: {pool: none}" "$CRON" |
	sed 's/^  name: stuck$/  name: stuck\n  annotations: {feast.dev\/materialize-shards: "2"}/' >stuck.yaml
feature_store plain feast "" "$CRON" >plain.yaml
for f in stuck plain; do
	"$FEAST" apply -f $f.yaml >/dev/null 2>err || { cat err >&2; fail "apply $f failed"; }
done

# ---- the Job, as kubectl create job --from makes it ----
expect_run 0 "$FEAST" materialize shop -n feast
has out '^job\.batch/feast-shop-[a-z0-9]{5} created \(3 shards\)$'
job=$(sed -n 's|^job\.batch/\([^ ]*\) created.*|\1|p' out)
uid=$(kubectl get cronjob feast-shop -n feast -o jsonpath='{.metadata.uid}')
kubectl get job "$job" -n feast -o json >job.json
"$PYTHON" - job.json "$uid" <<'PY' || fail "job $job: $(cat job.json)"
import json, sys
j = json.load(open(sys.argv[1]))
m, s = j["metadata"], j["spec"]
assert m["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual", m
o = m["ownerReferences"]
assert len(o) == 1 and o[0]["kind"] == "CronJob" and o[0]["name"] == "feast-shop", o
assert o[0]["uid"] == sys.argv[2] and o[0]["controller"] is True, o
assert s["completionMode"] == "Indexed" and s["completions"] == 3 and s["parallelism"] == 3, s
assert s["backoffLimitPerIndex"] == 2, s
c = [c for c in s["template"]["spec"]["containers"] if c["name"] == "materialize"][0]
assert {"name": "FEAST_MATERIALIZE_SHARDS", "value": "3"} in c["env"], c["env"]
PY

# ---- --shards and --wait: every shard followed to the Job's verdict ----
expect_run 0 "$FEAST" materialize shop -n feast --shards 2 --wait=120s
has out '^job\.batch/feast-shop-[a-z0-9]{5} created \(2 shards\)$'
job=$(sed -n 's|^job\.batch/\([^ ]*\) created.*|\1|p' out)
has out '^shard 0 of 2: succeeded$'
has out '^shard 1 of 2: succeeded$'
[ "$(tail -n 1 out)" = "job.batch/$job complete: 2 of 2 shards succeeded" ] || fail "last line: $(tail -n 1 out)"
lacks out 'shard 2 of'
# Each shard's lines in order: nothing after its success.
for i in 0 1; do
	grep "^shard $i of 2:" out | tail -n 1 | grep -q 'succeeded$' || fail "shard $i: $(grep "^shard $i" out)"
done
[ "$(kubectl get job "$job" -n feast -o jsonpath='{.spec.template.spec.containers[0].env[?(@.name=="FEAST_MATERIALIZE_SHARDS")].value}')" = 2 ] ||
	fail "--shards 2 did not reach the shards' environment"

# ---- a run that cannot start times out (exit 4) ----
expect_run 4 "$FEAST" materialize stuck -n feast --wait=3s
has out '^job\.batch/feast-stuck-[a-z0-9]{5} created \(2 shards\)$'
has out '^shard 0 of 2: pending$'
has err 'timed out after 3\.0s waiting for job\.batch/feast-stuck-[a-z0-9]{5} to finish'

# ---- refusals ----
expect_run 1 "$FEAST" materialize plain -n feast --shards 2
has err 'cronjob\.batch/feast-plain runs in one pod, not in shards: render or apply the store with --materialize-shards'
expect_run 0 "$FEAST" materialize plain -n feast
has out '^job\.batch/feast-plain-[a-z0-9]{5} created \(1 shard\)$'
expect_run 3 "$FEAST" materialize nothing -n feast
has err 'cronjob\.batch/feast-nothing not found in namespace feast'
expect_run 2 "$FEAST" materialize shop -n feast --shards 0
echo "materialize: Job from the CronJob, --shards, --wait to the verdict, timeout, refusals"

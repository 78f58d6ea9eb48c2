#!/bin/sh
# feast-materialize.sh -- wall time of one sharded materialization run with real Feast: the
# shard command render puts in the CronJob's Indexed Job, as 1, 2 and 4 concurrent processes.
#
#   bench/feast-materialize.sh [ROUNDS [SHARDS...]]   (make bench-feast-materialize)
#
# Eight feature views over one parquet file (200 entities, 47 hours), a SQLite online store
# and a SQL registry on SQLite, applied once; every round starts from a copy of that
# registry, so each materializes the same rows.  One shard is the shard command with
# FEAST_MATERIALIZE_SHARDS=1: one process for every view, what one pod would do, plus its
# registry read.  Prints the table docs/materialize.md shows.  Reports; never fails on a figure.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
[ $# -gt 1 ] && shift || set --
[ $# -gt 0 ] || set -- 1 2 4
py=$("$src/scripts/feast-env.sh" | tail -n 1)
work=${FEAST_BUILD_DIR:-$src/build}/bench/feast-materialize
rm -rf "$work"
mkdir -p "$work"
cat >"$work/store.yaml" <<'YAML'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: bench
spec:
  feastProject: bench
  services:
    registry:
      local:
        persistence:
          store: {type: sql, secretRef: {name: stores}}
  cronJob: {schedule: "0 * * * *"}
YAML
"${FEAST_BIN_DIR:-$src/bin}/kubectl-feast" render -f "$work/store.yaml" -n feast --materialize-shards 2 >"$work/rendered.yaml"
FEAST_MATERIALIZE_VIEWS=8 "$py" "$src/bench/feast_materialize.py" bench "$work" "$work/rendered.yaml" "$rounds" "$@" \
	>"$work/results.jsonl"
"$py" - "$work/results.jsonl" "$(nproc)" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
base = statistics.median(rows[0]["wall_s"])
print("| shards | views | rows | rounds | wall, median | min-max | against %d shard%s | failed shards |"
      % (rows[0]["shards"], "" if rows[0]["shards"] == 1 else "s"))
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    m = statistics.median(r["wall_s"])
    print("| %d | %d | %d | %d | %.1f s | %.1f-%.1f s | %.2fx | %d |" % (r["shards"], r["views"], r["rows"],
          len(r["wall_s"]), m, min(r["wall_s"]), max(r["wall_s"]), m / base, r["failed"]))
print("(%s cores)" % sys.argv[2])
PY

"""feast_materialize.py -- the rendered shard command of a sharded materialization Job, run by
real Feast as N concurrent processes (the Job's pods) against one local repository.

Run with the python of scripts/feast-env.sh:
    feast_materialize.py prove WORK MANIFEST_N        (tests/scripts/feast_materialize.sh)
    feast_materialize.py bench WORK MANIFEST_N ROUNDS SHARDS...   (bench/feast-materialize.sh)
MANIFEST_N is `kubectl feast render --materialize-shards N` output: the container
`materialize` of its CronJob gives the command, its arguments and FEAST_MATERIALIZE_SHARDS;
each process gets JOB_COMPLETION_INDEX=i as the Job controller sets it, and runs in the
repository as the pod runs in the store's repo directory.

The repository: VIEWS feature views over one parquet file (the offline store, file type),
an online store in SQLite, and the registry as SQL on SQLite or as a file.  Every process
imports Feast first and starts on one signal (bench/feast_at_once.py, put in front of `feast`
on PATH), as the pods of one Job that start together.

prove: N shards on the SQL registry, then the same run on a file registry; prints one JSON
object per run: which views each shard took, materialization intervals per view in the
registry, online values missing, intervals lost.
bench: for each SHARDS count, ROUNDS runs on the SQL registry from the same applied
registry; prints one JSON object per count with the wall times.
"""
import datetime as dt
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

BIN = Path(sys.executable).parent
AT_ONCE = Path(__file__).resolve().parent / "feast_at_once.py"
UTC = dt.timezone.utc
NOW = dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
VIEWS = int(os.environ.get("FEAST_MATERIALIZE_VIEWS", "5"))
DRIVERS = range(1001, 1201)
HOURS = 48

DEFS = '''from datetime import timedelta
from feast import Entity, FeatureView, Field, FileSource
from feast.types import Float32

driver = Entity(name="driver", join_keys=["driver_id"])
source = FileSource(name="stats", path=%(data)r, timestamp_field="event_timestamp")
%(views)s
'''
VIEW = 'fv_%(i)d = FeatureView(name="fv_%(i)d", entities=[driver], ttl=timedelta(days=3), ' \
       'schema=[Field(name="f%(i)d", dtype=Float32)], source=source)\n'


def shard_container(manifest):
    """(command + args, FEAST_MATERIALIZE_SHARDS) of the CronJob's materialize container."""
    for doc in yaml.safe_load_all(open(manifest)):
        if doc and doc.get("kind") == "CronJob":
            pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            for c in pod["containers"]:
                if c["name"] == "materialize":
                    env = {e["name"]: e.get("value") for e in c.get("env", [])}
                    return c["command"] + c.get("args", []), int(env["FEAST_MATERIALIZE_SHARDS"])
    sys.exit("%s: no CronJob with a materialize container" % manifest)


def write_data(work):
    rows = [{"driver_id": d, "event_timestamp": NOW - dt.timedelta(hours=h),
             **{"f%d" % i: float(d % 7 + h + i) for i in range(VIEWS)}}
            for d in DRIVERS for h in range(1, HOURS)]
    df = pd.DataFrame(rows)
    for i in range(VIEWS):
        df["f%d" % i] = df["f%d" % i].astype("float32")
    path = work / "stats.parquet"
    df.to_parquet(path)
    return path


def make_repo(repo, registry, data):
    """A fresh repository with its registry applied; returns its directory."""
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    if registry == "sql":
        reg = {"registry_type": "sql", "path": "sqlite:///%s" % (repo / "registry.sqlite"),
               "sqlalchemy_config_kwargs": {"connect_args": {"timeout": 60}}}
    else:
        # Feast's default cache TTL, as render leaves it: each process writes back the registry
        # it read at its start.
        reg = {"registry_type": "file", "path": str(repo / "registry.db")}
    (repo / "feature_store.yaml").write_text(yaml.safe_dump({
        "project": "sharded", "provider": "local", "registry": reg,
        "online_store": {"type": "sqlite", "path": str(repo / "online.db")},
        "offline_store": {"type": "file"}, "entity_key_serialization_version": 3}))
    (repo / "defs.py").write_text(DEFS % {"data": str(data), "views": "".join(VIEW % {"i": i} for i in range(VIEWS))})
    with open(repo / "apply.log", "w") as log:
        if subprocess.run([str(BIN / "feast"), "-c", str(repo), "apply"], stdout=log, stderr=subprocess.STDOUT).returncode:
            sys.exit("feast apply failed: see %s" % (repo / "apply.log"))
    return repo


def feast_wrapper(work):
    """`feast` on PATH as the console script started on one signal (feast_at_once.py)."""
    d = work / "wrap"
    d.mkdir(exist_ok=True)
    w = d / "feast"
    w.write_text('#!/bin/sh\nexec "%s" "%s" "$FEAST_GO" "$FEAST_READY" "$@"\n' % (sys.executable, AT_ONCE))
    w.chmod(w.stat().st_mode | stat.S_IXUSR)
    return d


def run_shards(repo, argv, shards, wrap):
    """Runs the shards at once; returns (exit codes, views per shard, wall seconds)."""
    logs = repo / ("logs-%d" % shards)
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    go = logs / "go"
    procs = []
    t = time.time()
    for i in range(shards):
        env = dict(os.environ, JOB_COMPLETION_INDEX=str(i), FEAST_MATERIALIZE_SHARDS=str(shards),
                   FEAST_GO=str(go), FEAST_READY=str(logs / ("%d.ready" % i)), FEAST_USAGE="False",
                   PATH="%s:%s:%s" % (wrap, BIN, os.environ.get("PATH", "")))
        procs.append(subprocess.Popen(argv, cwd=repo, env=env, stdout=open(logs / ("%d.log" % i), "w"),
                                      stderr=subprocess.STDOUT))
    # A shard with no views exits without starting feast: it never says it is ready.
    while not go.exists():
        if all((logs / ("%d.ready" % i)).exists() or p.poll() is not None for i, p in enumerate(procs)):
            go.touch()
        time.sleep(0.01)
    codes = [p.wait() for p in procs]
    wall = time.time() - t
    shares = []
    for i in range(shards):
        m = re.search(r"^shard %d of %d: (.*)$" % (i, shards), (logs / ("%d.log" % i)).read_text(), re.M)
        shares.append([] if not m or m.group(1).startswith("no feature views") else m.group(1).split())
    return codes, shares, wall


def check(repo):
    """Intervals per view in the registry, and the (driver, view) pairs the online store lacks."""
    from feast import FeatureStore
    store = FeatureStore(repo_path=str(repo))
    intervals = {v.name: len(v.materialization_intervals) for v in store.list_feature_views(allow_cache=False)}
    rows = [{"driver_id": d} for d in DRIVERS]
    got = store.get_online_features(features=["fv_%d:f%d" % (i, i) for i in range(VIEWS)],
                                    entity_rows=rows).to_dict()
    missing = sum(1 for i in range(VIEWS) for v in got["f%d" % i] if v is None)
    return intervals, missing


def empty_share(repo, argv, wrap):
    """Shard VIEWS of VIEWS + 1, which no view falls to: (exit code, what it printed)."""
    env = dict(os.environ, JOB_COMPLETION_INDEX=str(VIEWS), FEAST_MATERIALIZE_SHARDS=str(VIEWS + 1),
               PATH="%s:%s:%s" % (wrap, BIN, os.environ.get("PATH", "")), FEAST_USAGE="False")
    r = subprocess.run(argv, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout.strip().splitlines()[-1:]


def prove(work, manifest):
    argv, shards = shard_container(manifest)
    data = write_data(work)
    wrap = feast_wrapper(work)
    for registry in ("sql", "file"):
        repo = make_repo(work / registry, registry, data)
        empty = empty_share(repo, argv, wrap) if registry == "sql" else None
        codes, shares, wall = run_shards(repo, argv, shards, wrap)
        intervals, missing = check(repo)
        print(json.dumps({"registry": registry, "shards": shards, "views": VIEWS, "entities": len(DRIVERS),
                          "codes": codes, "shares": shares, "intervals": intervals,
                          "lost": sum(1 for n in intervals.values() if n == 0),
                          "online_missing": missing, "empty_share": empty, "wall_s": round(wall, 1)}), flush=True)


def bench(work, manifest, rounds, counts):
    argv, _ = shard_container(manifest)
    data = write_data(work)
    wrap = feast_wrapper(work)
    base = make_repo(work / "base", "sql", data)
    for shards in counts:
        walls, failed = [], 0
        for r in range(rounds):
            repo = work / ("n%d-r%d" % (shards, r))
            shutil.rmtree(repo, ignore_errors=True)
            shutil.copytree(base, repo, ignore=shutil.ignore_patterns("logs-*"))
            cfg = (repo / "feature_store.yaml").read_text().replace(str(base), str(repo))
            (repo / "feature_store.yaml").write_text(cfg)
            codes, _, wall = run_shards(repo, argv, shards, wrap)
            failed += sum(1 for c in codes if c)
            walls.append(round(wall, 2))
            print("  %d shards round %d: %.1f s" % (shards, r + 1, wall), file=sys.stderr, flush=True)
        print(json.dumps({"shards": shards, "views": VIEWS, "entities": len(DRIVERS), "rows": len(DRIVERS) * (HOURS - 1),
                          "wall_s": walls, "failed": failed}), flush=True)


if __name__ == "__main__":
    mode, work = sys.argv[1], Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    if mode == "prove":
        prove(work, sys.argv[3])
    else:
        bench(work, sys.argv[3], int(sys.argv[4]), [int(n) for n in sys.argv[5:]])

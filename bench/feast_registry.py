"""feast_registry.py -- lost registry updates when Feast's own CLI writers run at once, without and with the lock.

Run by bench/feast-registry.sh with the python of scripts/feast-env.sh:
    feast_registry.py WORK WRITERS ROUNDS SIDECAR VARIANT...
VARIANT is file (no lock), file+lock (each writer under `feast-sidecar lock --`, one daemon
per writer on a shared lease file, as pods of one Deployment), sqlite (the SQL registry
through SQLAlchemy) or postgres (the SQL registry on $FEAST_BENCH_PG_URL).

Two scenarios per variant, each ROUNDS times from the same starting registry:
  apply        WRITERS `feast apply` at once, each of its own project (one entity, source
               and feature view) into the one registry;
  materialize  WRITERS `feast materialize START END -v fv_I` at once, each of its own feature
               view of one applied project and its own window; the registry records each
               window in the view's materialization intervals.
A lost update is a writer that exited 0 whose project or view (apply), or interval
(materialize), is not in the registry afterwards. Writers that fail are counted apart, and
so are objects gone altogether: the base project no writer touches (apply), views whose
window was lost with the view itself (materialize).
Prints one JSON object per (variant, scenario) and a Markdown table.
"""
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

FEAST = str(Path(sys.executable).parent / "feast")
UTC = dt.timezone.utc
NOW = dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
T0 = NOW - dt.timedelta(hours=40)


def write_data(work, writers):
    rows = [{"driver_id": d, "event_timestamp": NOW - dt.timedelta(hours=h),
             **{"f%d" % i: float(d % 7 + h + i) for i in range(writers)}}
            for d in range(1001, 1006) for h in range(48)]
    df = pd.DataFrame(rows)
    for i in range(writers):
        df["f%d" % i] = df["f%d" % i].astype("float32")
    path = work / "stats.parquet"
    df.to_parquet(path)
    return path


DEFS = '''from datetime import timedelta
from feast import Entity, FeatureView, Field, FileSource
from feast.types import Float32

driver = Entity(name="driver", join_keys=["driver_id"])
source = FileSource(name="stats", path=%(data)r, timestamp_field="event_timestamp")
%(views)s
'''
VIEW = 'fv_%(i)s = FeatureView(name="fv_%(i)s", entities=[driver], ttl=timedelta(days=3), ' \
       'schema=[Field(name="f%(f)d", dtype=Float32)], source=source)\n'


def registry_config(variant, work):
    if variant.startswith("file"):
        return {"registry_type": "file", "path": str(work / "registry.db"), "cache_ttl_seconds": 60}
    url = ("sqlite:///%s" % (work / "registry.sqlite")) if variant == "sqlite" else os.environ["FEAST_BENCH_PG_URL"]
    kwargs = {"echo": False}
    if variant == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
    return {"registry_type": "sql", "path": url, "cache_ttl_seconds": 60, "sqlalchemy_config_kwargs": kwargs}


def make_repo(path, project, registry, online, data, views):
    path.mkdir(parents=True, exist_ok=True)
    (path / "feature_store.yaml").write_text(yaml.safe_dump({
        "project": project, "provider": "local", "registry": registry,
        "online_store": {"type": "sqlite", "path": str(online)},
        "offline_store": {"type": "file"}, "entity_key_serialization_version": 3}))
    (path / "defs.py").write_text(DEFS % {"data": str(data), "views": "".join(VIEW % v for v in views)})


def feast(repo, *args, log):
    with open(log, "a") as f:
        r = subprocess.run([FEAST, "-c", str(repo), *args], stdout=f, stderr=subprocess.STDOUT)
    if r.returncode:
        sys.exit("setup failed: feast %s (see %s)" % (" ".join(args), log))


class Sidecars:
    """One feast-sidecar daemon per writer on a shared lease file: the pods of one store."""

    def __init__(self, binary, work, writers):
        self.binary, self.work, self.procs = binary, work, []
        lease = work / "lease.json"
        for i in range(writers):
            sock = work / ("w%d.sock" % i)
            self.procs.append(subprocess.Popen(
                [binary, "run", "--lease-file", str(lease), "--lease", "bench", "--identity", "w%d" % i,
                 "--socket", str(sock), "--listen", "", "--lock-client", "",
                 "--lease-duration", "3s", "--renew-deadline", "1500ms", "--retry-period", "100ms",
                 "--kill-grace", "500ms", "--safety-margin", "200ms"],
                stderr=open(work / ("w%d.daemon.log" % i), "a")))
        for i in range(writers):
            deadline = time.time() + 20
            while not (work / ("w%d.sock" % i)).exists():
                if time.time() > deadline:
                    sys.exit("feast-sidecar daemon w%d did not start" % i)
                time.sleep(0.05)

    def wrap(self, i, argv):
        return [self.binary, "lock", "--socket", str(self.work / ("w%d.sock" % i)), "--"] + argv

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait()


AT_ONCE = str(Path(__file__).resolve().parent / "feast_at_once.py")


def run_round(cmds, logdir, locked):
    """Starts every writer at once; returns (exit codes, (start, end) ms of each command, wall ms).
    Without the lock the writers wait for one signal after their imports (feast_at_once.py);
    under the lock only the holder could get that far, so the signal is given at the start."""
    timed = []
    go = logdir / "go"
    if locked:
        go.touch()
    for i, argv in enumerate(cmds):
        stamp = str(logdir / ("w%d" % i))
        cut = argv.index(FEAST)
        # The command's own start and end, inside the lock when there is one.
        timed.append(argv[:cut] + ["sh", "-c", 'date +%s%3N >"$0.start"; "$@"; rc=$?; date +%s%3N >"$0.end"; exit $rc',
                                   stamp, sys.executable, AT_ONCE, str(go), stamp + ".ready"] + argv[cut + 1:])
    t = time.time()
    procs = [subprocess.Popen(c, stdout=open(logdir / ("w%d.log" % i), "w"), stderr=subprocess.STDOUT)
             for i, c in enumerate(timed)]
    deadline = time.time() + 600
    while not go.exists():
        if all((logdir / ("w%d.ready" % i)).exists() for i in range(len(cmds))):
            go.touch()
        elif time.time() > deadline or any(p.poll() is not None for p in procs):
            go.touch()  # a writer died before the start: let the others go, the round counts it
        time.sleep(0.01)
    codes = [p.wait() for p in procs]
    wall = (time.time() - t) * 1000
    spans = [(int((logdir / ("w%d.start" % i)).read_text()), int((logdir / ("w%d.end" % i)).read_text()))
             for i in range(len(cmds))]
    return codes, spans, wall


def fresh_store(repo):
    from feast import FeatureStore
    return FeatureStore(repo_path=str(repo))


def project(i, rnd):
    return "p%d_r%d" % (i, rnd)


def lost_apply(base, writers, codes, rnd):
    reg = fresh_store(base).registry
    present = {p.name for p in reg.list_projects(allow_cache=False)}
    lost = 0
    for i in range(writers):
        p = project(i, rnd)
        if codes[i]:
            continue
        if p not in present or "fv_" + p not in {v.name for v in reg.list_feature_views(p, allow_cache=False)}:
            lost += 1
    # The base project, which no writer touches, gone too.
    return lost, 0 if "base" in present else 1


def window(i, rnd):
    s = T0 + dt.timedelta(hours=i, minutes=rnd)
    return s, s + dt.timedelta(minutes=30)


def lost_materialize(base, writers, codes, rnd):
    """(lost windows, views gone altogether): a view can vanish when a writer reads the
    registry file while another has truncated it to rewrite it in place."""
    reg = fresh_store(base).registry
    views = {v.name: v for v in reg.list_feature_views("mat", allow_cache=False)}
    lost = gone = 0
    for i in range(writers):
        if codes[i]:
            continue
        fv = views.get("fv_%d" % i)
        gone += fv is None
        if fv is None or window(i, rnd) not in {(s.astimezone(UTC), e.astimezone(UTC))
                                                for s, e in fv.materialization_intervals}:
            lost += 1
    return lost, gone


def snapshot(variant, work, save):
    """Saves or restores the registry between rounds (every round starts from the same one)."""
    if variant == "postgres":
        return  # rows keyed by project and view: each round writes new intervals, nothing to reset
    name = "registry.db" if variant.startswith("file") else "registry.sqlite"
    src, dst = (work / name, work / (name + ".start")) if save else (work / (name + ".start"), work / name)
    shutil.copyfile(src, dst)


def scenario(variant, kind, work, data, writers, rounds, sidecars):
    reg = registry_config(variant, work)
    log = work / "setup.log"
    if kind == "apply":
        base = work / "apply-base"
        make_repo(base, "base", reg, work / "online-base.db", data, [{"i": "base", "f": 0}])
        feast(base, "apply", log=log)
    else:
        base = work / "mat"
        make_repo(base, "mat", reg, work / "online-mat.db", data, [{"i": i, "f": i} for i in range(writers)])
        feast(base, "apply", log=log)
    snapshot(variant, work, True)
    out = {"variant": variant, "scenario": kind, "writers": writers, "rounds": rounds,
           "lost": 0, "gone": 0, "failed": 0, "updates": 0, "wall_ms": [], "handoff_ms": []}
    for rnd in range(rounds):
        snapshot(variant, work, False)
        if kind == "apply":
            # New projects every round: a registry that is not reset between rounds
            # (PostgreSQL) cannot hide a loss behind an earlier round's project.
            cmds = []
            for i in range(writers):
                r = work / ("apply-r%d-w%d" % (rnd, i))
                make_repo(r, project(i, rnd), reg, work / ("online-%s.db" % project(i, rnd)), data,
                          [{"i": project(i, rnd), "f": i}])
                cmds.append([FEAST, "-c", str(r), "apply"])
        else:
            cmds = [[FEAST, "-c", str(base), "materialize",
                     window(i, rnd)[0].isoformat(), window(i, rnd)[1].isoformat(), "-v", "fv_%d" % i]
                    for i in range(writers)]
        argv = [sidecars.wrap(i, c) if sidecars else c for i, c in enumerate(cmds)]
        logdir = work / ("%s-r%d" % (kind, rnd))
        logdir.mkdir()
        codes, spans, wall = run_round(argv, logdir, sidecars is not None)
        lost, gone = lost_apply(base, writers, codes, rnd) if kind == "apply" else \
            lost_materialize(base, writers, codes, rnd)
        out["lost"] += lost
        out["gone"] += gone
        out["failed"] += sum(1 for c in codes if c)
        out["updates"] += writers
        out["wall_ms"].append(round(wall))
        spans.sort()
        out["handoff_ms"] += [b[0] - a[1] for a, b in zip(spans, spans[1:])]
        print("  %s %s round %d: lost %d, gone %d, failed %d, %.1f s" % (variant, kind, rnd + 1, lost, gone,
              sum(1 for c in codes if c), wall / 1000), file=sys.stderr, flush=True)
    return out


def main(argv):
    work, writers, rounds, sidecar = Path(argv[1]), int(argv[2]), int(argv[3]), argv[4]
    results = []
    for variant in argv[5:]:
        for kind in ("apply", "materialize"):
            w = work / variant / kind
            shutil.rmtree(w, ignore_errors=True)
            w.mkdir(parents=True)
            data = write_data(w, writers)
            sidecars = Sidecars(sidecar, w, writers) if variant.endswith("+lock") else None
            try:
                results.append(scenario(variant, kind, w, data, writers, rounds, sidecars))
            finally:
                if sidecars:
                    sidecars.stop()
            print(json.dumps(results[-1]), flush=True)
    return results


if __name__ == "__main__":
    main(sys.argv)

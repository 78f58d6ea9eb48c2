# One shard of a sharded materialization Job (kubectl-feast render --materialize-shards).
# Shard i of N takes the feature views Feast would materialize by default (online and
# enabled: feature views, stream feature views, on-demand views written to the online
# store) whose position in name order is i modulo N, read from the registry now, so views
# added since the render are shared out too.  It then runs argv[1], the command of
# spec.cronJob (shell text, as the operator runs it), with `--views NAME` for each; a
# shard with no views exits 0.  Index from JOB_COMPLETION_INDEX (the Indexed Job's), N
# from FEAST_MATERIALIZE_SHARDS.
import os
import shlex
import sys

from feast import FeatureStore


def enabled(view):
    return getattr(view, "enabled", True)


def view_names(store):
    names = {v.name for v in store.list_feature_views() if v.online and enabled(v)}
    names |= {v.name for v in store.list_stream_feature_views() if v.online and enabled(v)}
    names |= {
        v.name
        for v in store.list_on_demand_feature_views()
        if getattr(v, "write_to_online_store", False) and enabled(v)
    }
    return sorted(names)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: materialize-shard COMMAND")
    shards = int(os.environ["FEAST_MATERIALIZE_SHARDS"])
    index = int(os.environ["JOB_COMPLETION_INDEX"])
    if shards < 1 or not 0 <= index < shards:
        sys.exit(f"shard index {index} is outside 0..{shards - 1}")
    share = view_names(FeatureStore(repo_path="."))[index::shards]
    if not share:
        print(f"shard {index} of {shards}: no feature views fall to this shard", flush=True)
        return
    print(f"shard {index} of {shards}: {' '.join(share)}", flush=True)
    line = sys.argv[1] + "".join(" --views " + shlex.quote(name) for name in share)
    os.execvp("bash", ["bash", "-c", line])


main()

"""crdyaml.py -- read a CRD file once per machine: the FeatureStore CRD is 1.4 MB of YAML,
which PyYAML's pure-Python reader takes seconds to parse, and the schema checks read it
for every case. Parsed documents are kept as JSON under the cache directory, named by the
file's SHA-256, and libyaml's reader is used when PyYAML has it."""
import hashlib
import json
import os

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "kubectl-feast", "crd-json")


def load_all(path):
    """The documents of the YAML file at PATH, as safe_load_all would give them."""
    with open(path, "rb") as f:
        data = f.read()
    cached = os.path.join(cache_dir(), hashlib.sha256(data).hexdigest() + ".json")
    try:
        with open(cached) as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    docs = list(yaml.load_all(data, Loader=LOADER))
    try:
        os.makedirs(cache_dir(), exist_ok=True)
        tmp = "%s.%d" % (cached, os.getpid())
        with open(tmp, "w") as f:
            json.dump(docs, f)
        os.replace(tmp, cached)  # whole or absent, for scripts reading at the same time
    except (OSError, TypeError):
        pass  # a read-only cache, or a value JSON cannot hold: parse again next time
    return docs

"""feast_configs.py -- load every feature_store.yaml a rendered pod and client would read, with Feast's own loader.

Run with the python of scripts/feast-env.sh:  feast_configs.py WORKDIR MANIFEST...

Per pod template (Deployment, CronJob) it builds the pod's volumes in WORKDIR: the Secrets
and ConfigMaps from the same render output when it carries them, else test ones made for
the case (STORE_PARAMS below). It runs the rendered `feast-init` container itself (its own
command, env and working directory), with every mount path rewritten to the volume's
directory and stand-ins for `feast init` and `git` (tests/feast_stubs/), so the merge of
the Secrets is the rendered one. Each server container's configuration is then the file
in its working directory, as `feast serve` reads it (the inline base64 when no init
container writes one), loaded with the container's environment, as Feast expands
${VARS}. Then the client ConfigMap's feature_store.yaml. Loading is
feast.repo_config.load_repo_config plus a read of every lazily checked property.

Prints each failure and `feast configs: N loaded, M failed`; exits 1 on any failure.
"""
import base64
import json
import os
import re
import subprocess
import sys
import traceback
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
STUBS = HERE / "feast_stubs"

PG = {"host": "postgres.test.svc", "port": 5432, "database": "feast", "db_schema": "public",
      "user": "feast", "password": "feast"}
# Settings a test Secret holds for a store type: what the operator's docs put in such a Secret.
STORE_PARAMS = {
    ("online_store", "postgres"): PG,
    ("offline_store", "postgres"): PG,
    ("online_store", "redis"): {"connection_string": "redis.test.svc:6379"},
    ("online_store", "cassandra"): {"hosts": ["cassandra.test.svc"], "keyspace": "feast"},
    ("online_store", "dynamodb"): {"region": "us-east-1"},
    ("online_store", "snowflake.online"): {"account": "acct", "user": "u", "password": "p",
                                           "role": "r", "warehouse": "w", "database": "FEAST"},
    ("offline_store", "snowflake.offline"): {"account": "acct", "user": "u", "password": "p",
                                             "role": "r", "warehouse": "w", "database": "FEAST"},
    ("offline_store", "duckdb"): {},
    ("registry", "sql"): {"path": "postgresql+psycopg://feast:feast@postgres.test.svc:5432/feast",
                          "cache_ttl_seconds": 60},
    ("batch_engine", None): {"type": "local"},
}
SCALARS = {"client_id": "feast-client", "client_secret": "s3cret",
           "auth_discovery_url": "https://idp.test/realms/feast/.well-known/openid-configuration",
           "api_key": "test-api-key"}
SECTION_OF_VOLUME = {"online-store-config": "online_store", "offline-store-config": "offline_store",
                     "registry-store-config": "registry", "batch-engine-config": "batch_engine",
                     "oidc-config": "auth", "openlineage-api-key": "openlineage"}
TYPE_KEY = {"registry": "registry_type"}
PEM = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n"


def docs_of(path):
    text = Path(path).read_text()
    if text.lstrip().startswith("{"):
        return json.loads(text).get("items", [])
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]


def source_data(docs, kind, ns, name):
    """The data of a Secret or ConfigMap in the same output, decoded, or None."""
    for d in docs:
        m = d.get("metadata") or {}
        if d.get("kind") == kind and m.get("name") == name and m.get("namespace", ns) == ns:
            # A Secret's data is base64; a ConfigMap's is the text itself.
            data = d.get("data") or {}
            if kind == "Secret":
                out = {k: base64.b64decode(v).decode() for k, v in data.items()}
            else:
                out = dict(data)
            out.update(d.get("stringData") or {})
            return out
    return None


def test_value(volume, key, inline):
    """Content of a Secret or ConfigMap key the output does not carry, made for the case."""
    if re.search(r"\.(crt|key|pem)$", key):
        return PEM
    section = SECTION_OF_VOLUME.get(volume)
    if key in SCALARS and section in ("auth", "openlineage"):
        return SCALARS[key]
    if section == "auth":
        return yaml.safe_dump({k: SCALARS[k] for k in ("client_id", "client_secret", "auth_discovery_url")})
    if section is None:
        return "test\n"
    block = inline.get(section) if isinstance(inline.get(section), dict) else {}
    store_type = block.get(TYPE_KEY.get(section, "type"))
    params = STORE_PARAMS.get((section, store_type), STORE_PARAMS.get((section, None)))
    if params is None:
        raise KeyError("no test settings for %s type %s (volume %s)" % (section, store_type, volume))
    return yaml.safe_dump(params)


def inline_config(containers):
    for c in containers:
        for e in c.get("env") or []:
            if e.get("name") in ("TMP_FEATURE_STORE_YAML_BASE64", "FEATURE_STORE_YAML_BASE64") and "value" in e:
                try:
                    return yaml.safe_load(base64.b64decode(e["value"], validate=True))
                except (ValueError, yaml.YAMLError):
                    continue  # set by the user on one container; the others carry the rendered one
    return {}


class Pod:
    """One pod template's volumes, laid out under ROOT."""

    def __init__(self, root, docs, ns, spec):
        self.root, self.docs, self.ns, self.spec = Path(root), docs, ns, spec
        self.inits = spec.get("initContainers") or []
        self.containers = spec.get("containers") or []
        self.inline = inline_config(self.inits + self.containers) or {}
        self.volumes = {}
        for v in spec.get("volumes") or []:
            self.volumes[v["name"]] = self.make_volume(v)

    def make_volume(self, v):
        d = self.root / "vol" / v["name"]
        d.mkdir(parents=True, exist_ok=True)
        for kind, field, ref in (("Secret", "secret", "secretName"), ("ConfigMap", "configMap", "name")):
            src = v.get(field)
            if src is None:
                continue
            data = source_data(self.docs, kind, self.ns, src.get(ref))
            items = src.get("items") or [{"key": k, "path": k} for k in (data or {})]
            if not items:
                items = [{"key": "config", "path": "config"}]
            for it in items:
                text = data[it["key"]] if data and it["key"] in data else test_value(v["name"], it["key"], self.inline)
                (d / it["path"]).parent.mkdir(parents=True, exist_ok=True)
                (d / it["path"]).write_text(text)
        return d

    def mapper(self, container):
        """Rewrites the container's absolute paths: mounts to volume dirs, the rest under image/."""
        mounts = sorted(((m["mountPath"].rstrip("/") or "/", self.volumes[m["name"]] / m.get("subPath", ""))
                         for m in container.get("volumeMounts") or []), key=lambda p: -len(p[0]))

        def one(path):
            for mp, d in mounts:
                if path == mp or path.startswith(mp + "/"):
                    return str(d) + path[len(mp):]
            return str(self.root / "image") + path

        pat = re.compile(r"(?<![\w./-])(/[\w.-]+(?:/[\w.-]*)*)")

        def under_mount(path):
            return any(path == mp or path.startswith(mp + "/") for mp, _ in mounts)

        def text(s):
            # Only paths on a volume: /dev/null and the like in a script stay as they are.
            return pat.sub(lambda m: one(m.group(1)) if under_mount(m.group(1)) else m.group(1), s)
        return one, text

    def env(self, container, rewrite_paths=None):
        env = {}
        for ef in container.get("envFrom") or []:
            for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                if key in ef:
                    data = source_data(self.docs, kind, self.ns, ef[key]["name"]) or {}
                    env.update({ef.get("prefix", "") + k: v for k, v in data.items()})
        for e in container.get("env") or []:
            if "value" in e:
                val = str(e["value"])
                if rewrite_paths and val.startswith("/"):
                    val = rewrite_paths(val)
                    if not Path(val).exists() and "image" in Path(val).parts:
                        Path(val).mkdir(parents=True)  # content the image carries
                env[e["name"]] = val
            elif "valueFrom" in e:
                ref = e["valueFrom"]
                sk = ref.get("secretKeyRef") or ref.get("configMapKeyRef")
                data = None
                if sk:
                    kind = "Secret" if "secretKeyRef" in ref else "ConfigMap"
                    data = source_data(self.docs, kind, self.ns, sk["name"])
                    env[e["name"]] = (data or {}).get(sk["key"], "test-" + sk["key"])
                else:
                    env[e["name"]] = "10.0.0.1"
        return env

    def run_init(self, c, repo_dir, log):
        one, text = self.mapper(c)
        env = self.env(c, one)
        env.update(PATH="%s:%s:/usr/bin:/bin" % (STUBS, Path(sys.executable).parent),
                   HOME=str(self.root / "home"), FEAST_STUB_REPO_DIR=repo_dir)
        argv = [text(a) for a in (c.get("command") or []) + (c.get("args") or [])]
        cwd = Path(one(c.get("workingDir", "/")))
        cwd.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log.write("$ %s (in %s)\n%s\n" % (c["name"], cwd, r.stdout))
        if r.returncode:
            raise RuntimeError("init container %s exited %d: %s" % (c["name"], r.returncode, r.stdout.strip()[-400:]))


def load(path, env):
    # Imported here: tests/feast_pod.py borrows Pod without paying for Feast's import.
    from feast.repo_config import load_repo_config

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    os.environ["PATH"] = saved.get("PATH", "/usr/bin:/bin")
    try:
        cfg = load_repo_config(Path(path).parent, Path(path))
        for attr in ("registry", "online_store", "offline_store", "auth_config", "batch_engine"):
            getattr(cfg, attr)
        if cfg.openlineage is not None:
            cfg.openlineage
    finally:
        os.environ.clear()
        os.environ.update(saved)


# Cases that break a pod on purpose; each must still fail, or the entry is stale.
EXPECTED_FAILURES = {
    "git-configs.yaml Deployment/feast-from-git":
        "the case sets TMP_FEATURE_STORE_YAML_BASE64 to a non-base64 value in git.env, which the "
        "init container decodes",
}


def client_without_registry(label, path, err):
    """The operator writes a client feature_store.yaml without a registry when no registry
    server runs (only a remote registry's or the registry server's hostname goes there);
    Feast refuses such a file.  Counted apart, not as a render failure."""
    from feast.errors import FeastRegistryNotSetError
    return (label.startswith("ConfigMap/") and isinstance(err, FeastRegistryNotSetError)
            and "registry" not in (yaml.safe_load(path.read_text()) or {}))


def engine_not_installed(err):
    """A batch engine whose Python package (pyspark, ray: hundreds of MB each) the test
    environment leaves out: Feast read the file as far as the engine's config class, which it
    cannot import without them. Counted apart and printed, not as a render failure."""
    from feast.errors import FeastModuleImportError
    return isinstance(err, FeastModuleImportError) and "feast.infra.compute_engines." in str(err)


SERVER_ENV = ("TMP_FEATURE_STORE_YAML_BASE64", "FEATURE_STORE_YAML_BASE64")


def pod_configs(work, docs, ns, owner, spec, log):
    """Yields (label, feature_store.yaml path, env) for each server container of one pod."""
    pod = Pod(work, docs, ns, spec)
    servers = [c for c in pod.containers if any(e.get("name") in SERVER_ENV for e in c.get("env") or [])]
    if not servers:
        return
    repo = pod.mapper(servers[0])[0](servers[0].get("workingDir", "/"))
    for c in pod.inits:
        # feast-apply reads the file feast-init wrote, which the servers load below.
        if c["name"] == "feast-init":
            pod.run_init(c, repo, log)
    for c in servers:
        one = pod.mapper(c)[0]
        env = pod.env(c)
        b64 = env.pop("FEATURE_STORE_YAML_BASE64", None)
        path = Path(one(c.get("workingDir", "/"))) / "feature_store.yaml"
        if b64 is not None or not path.exists():
            # What Feast reads then: FEATURE_STORE_YAML_BASE64 itself, or, with no init
            # container writing the file, the inline configuration it was rendered from.
            path = Path(work) / ("inline-" + c["name"]) / "feature_store.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(b64 or env["TMP_FEATURE_STORE_YAML_BASE64"]))
        yield "%s container %s" % (owner, c["name"]), path, env


def main(argv):
    work = Path(argv[1])
    loaded = failed = no_registry = 0
    no_engine = []
    expected, seen = {}, set()
    kinds = {False: 0, True: 0}
    log = open(work / "init.log", "w")
    n = 0
    for manifest in argv[2:]:
        docs = docs_of(manifest)
        case = Path(manifest).name.split(".", 1)[1]
        seen.add(case)
        for d in docs:
            kind, meta = d.get("kind"), d.get("metadata") or {}
            ns, name = meta.get("namespace", "default"), meta.get("name")
            items = []
            if kind == "Deployment":
                items = [("Deployment/%s" % name, d["spec"]["template"]["spec"])]
            elif kind == "CronJob":
                items = [("CronJob/%s" % name, d["spec"]["jobTemplate"]["spec"]["template"]["spec"])]
            elif kind == "ConfigMap" and name.endswith("-client") and "feature_store.yaml" in (d.get("data") or {}):
                n += 1
                path = work / ("c%d" % n) / "feature_store.yaml"
                path.parent.mkdir(parents=True)
                path.write_text(d["data"]["feature_store.yaml"])
                items = [("ConfigMap/%s" % name, path)]
            for owner, what in items:
                try:
                    if isinstance(what, Path):
                        configs = [(owner, what, {})]
                    else:
                        n += 1
                        configs = list(pod_configs(work / ("p%d" % n), docs, ns, owner, what, log))
                    for label, path, env in configs:
                        try:
                            load(path, env)
                            loaded += 1
                            kinds[label.startswith("ConfigMap/")] += 1
                        except Exception as e:
                            if client_without_registry(label, path, e):
                                no_registry += 1
                                continue
                            if engine_not_installed(e):
                                no_engine.append("%s %s" % (case, label))
                                continue
                            failed += 1
                            print("FAIL %s %s: %s: %s\n  %s" % (case, label, type(e).__name__,
                                  str(e).replace("\n", "\n  "), path.read_text().replace("\n", "\n  ")))
                except Exception as e:
                    key = "%s %s" % (case, owner)
                    if key in EXPECTED_FAILURES:
                        expected[key] = str(e)
                        continue
                    failed += 1
                    print("FAIL %s %s: %s" % (case, owner, e))
                    traceback.print_exc(file=log)
    for key, why in EXPECTED_FAILURES.items():
        if key.split()[0] not in seen:
            continue
        if key in expected:
            print("expected failure %s (%s): %s" % (key, why, expected[key]))
        else:
            failed += 1
            print("FAIL %s: expected to fail (%s), but did not" % (key, why))
    print("client configs without a registry (no registry server; Feast refuses them): %d" % no_registry)
    for c in no_engine:
        print("not judged, the batch engine's package is not installed: " + c)
    print("loaded: %d of server containers, %d client ConfigMaps" % (kinds[False], kinds[True]))
    print("feast configs: %d loaded, %d failed" % (loaded, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

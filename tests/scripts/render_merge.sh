# render_merge.sh -- the runtime merge of Secret values into feature_store.yaml works:
# the feast-init (and feast-config) script of a rendered Deployment runs with bash and
# python3 on fixture Secrets and secret-merge.py from the rendered ConfigMap it mounts,
# with its absolute paths moved under $TEST_TMP and `feast` stubbed; the result keeps `${VAR}` references and the values' types, and a
# Secret that contradicts the store type stops the pod with a clear message.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
cd "$TEST_TMP"

# run_init.py JSON CONTAINER ROOT: run that init container's script under ROOT.
cat >run_init.py <<'PY'
import json, os, subprocess, sys

doc, name, root = sys.argv[1], sys.argv[2], sys.argv[3]
moves = [("/var/run/feast", root + "/run"), ("/feast-data", root + "/data"),
         ("/feast-config", root + "/config"), ("/opt/pkg", root + "/pkg")]

def move(s):
    for old, new in moves:
        s = s.replace(old, new)
    return s

items = json.load(open(doc))["items"]
pod = [i for i in items if i["kind"] == "Deployment"][0]["spec"]["template"]["spec"]
init = [c for c in pod["initContainers"] if c["name"] == name][0]
# What the kubelet projects from the run's own ConfigMaps (secret-merge.py).
cms = {i["metadata"]["name"]: i for i in items if i["kind"] == "ConfigMap"}
vols = {v["name"]: v for v in pod.get("volumes", [])}
for m in init.get("volumeMounts", []):
    cm = vols[m["name"]].get("configMap", {}).get("name")
    if cm in cms:
        os.makedirs(move(m["mountPath"]), exist_ok=True)
        for k, v in cms[cm]["data"].items():
            open(os.path.join(move(m["mountPath"]), k), "w").write(v)
env = dict(os.environ, PATH=root + "/bin:" + os.environ["PATH"])
for e in init.get("env", []):
    env[e["name"]] = move(e["value"])
cwd = move(init.get("workingDir", root))
os.makedirs(cwd, exist_ok=True)
assert init["command"] == ["bash", "-c"], init["command"]
r = subprocess.run(["bash", "-c", move(init["args"][0])], cwd=cwd, env=env,
                   capture_output=True, text=True)
sys.stderr.write(r.stderr)
sys.exit(r.returncode)
PY

# `feast init [-m] [-t T] PROJECT` creates PROJECT/feature_repo.
mkdir -p bin
cat >bin/feast <<'SH'
#!/bin/sh
for last; do :; done
mkdir -p "$last/feature_repo"
SH
chmod +x bin/feast

cp "$SRC/testdata/render-merge/store.yaml" store.yaml
"$FEAST" render -f store.yaml -o json >store.json

# What the kubelet would project from the Secrets and the ConfigMap.
mkdir -p run/online-store-config run/offline-store-config run/registry-store-config \
	run/oidc-config run/openlineage-api-key run/batch-engine-config
cat >run/online-store-config/postgres <<'EOF'
host: ${POSTGRES_HOST}
port: 5432
user: ${POSTGRES_USER}
password: ${POSTGRES_PASSWORD}
sslmode: verify-full
EOF
cat >run/offline-store-config/offline <<'EOF'
type: postgres
host: warehouse.example.com
port: 5433
database: features
EOF
cat >run/registry-store-config/sql <<'EOF'
path: postgresql+psycopg://${POSTGRES_USER}:${POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB}
cache_ttl_seconds: 60
sqlalchemy_config_kwargs:
    echo: false
    pool_pre_ping: true
EOF
printf 'feast-client\n' >run/oidc-config/client_id
printf 'https://idp.example.com/.well-known/openid-configuration\n' >run/oidc-config/auth_discovery_url
printf '"s3cr3t-key"\n' >run/openlineage-api-key/api_key
cat >run/batch-engine-config/engine.yaml <<'EOF'
type: spark.engine
partitions: 10
spark_conf:
  spark.executor.memory: 2g
EOF

"$PYTHON" run_init.py store.json feast-init "$TEST_TMP" 2>err || { cat err; fail "feast-init failed"; }
fsy=data/merged/feature_repo/feature_store.yaml
[ -f "$fsy" ] || fail "feast-init wrote no $fsy"
"$PYTHON" - "$fsy" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
on = c["online_store"]
assert on == {"type": "postgres", "host": "${POSTGRES_HOST}", "port": 5432, "user": "${POSTGRES_USER}",
              "password": "${POSTGRES_PASSWORD}", "sslmode": "verify-full"}, on
off = c["offline_store"]
assert off == {"type": "postgres", "host": "warehouse.example.com", "port": 5433, "database": "features"}, off
reg = c["registry"]
assert reg["registry_type"] == "sql" and reg["cache_ttl_seconds"] == 60, reg
assert reg["path"].startswith("postgresql+psycopg://${POSTGRES_USER}:"), reg
assert reg["sqlalchemy_config_kwargs"] == {"echo": False, "pool_pre_ping": True}, reg
assert c["auth"] == {"type": "oidc", "client_id": "feast-client",
                     "auth_discovery_url": "https://idp.example.com/.well-known/openid-configuration"}, c["auth"]
assert c["openlineage"] == {"enabled": True, "api_key": "s3cr3t-key"}, c["openlineage"]
assert c["batch_engine"] == {"type": "spark.engine", "partitions": 10,
                             "spark_conf": {"spark.executor.memory": "2g"}}, c["batch_engine"]
assert c["project"] == "merged" and c["entity_key_serialization_version"] == 3
PY

# A Spark application engine runs its driver as feast-<name>-batch-driver unless the
# ConfigMap names a ServiceAccount (the operator's repo_config.go: setRepoConfigBatchEngine,
# batch_engine_rbac.go: resolveBatchDriverSAName).
printf 'type: spark_application\nnamespace: spark\n' >run/batch-engine-config/engine.yaml
rm -rf data
"$PYTHON" run_init.py store.json feast-init "$TEST_TMP" 2>err || { cat err; fail "spark feast-init failed"; }
"$PYTHON" - "$fsy" <<'PY'
import sys, yaml
be = yaml.safe_load(open(sys.argv[1]))["batch_engine"]
assert be == {"type": "spark_application", "namespace": "spark",
              "service_account": "feast-merged-batch-driver"}, be
PY
printf 'type: spark_application\nservice_account: spark-driver\n' >run/batch-engine-config/engine.yaml
rm -rf data
"$PYTHON" run_init.py store.json feast-init "$TEST_TMP" 2>err || { cat err; fail "spark feast-init failed"; }
grep -q 'service_account: spark-driver' "$fsy" || fail "the ConfigMap's service_account was replaced"

# Optional OIDC keys may be missing; the rest is still merged.
rm -rf data run/oidc-config/client_id
"$PYTHON" run_init.py store.json feast-init "$TEST_TMP" 2>err || { cat err; fail "optional key missing broke feast-init"; }
grep -q 'client_id' "$fsy" && fail "a missing optional key was invented"

# A Secret whose `type` contradicts the store stops the pod with the reason.
printf 'type: redis\nconnection_string: r:6379\n' >run/online-store-config/postgres
rm -rf data
expect_exit 1 "$PYTHON" run_init.py store.json feast-init "$TEST_TMP" 2>err
grep -q 'feast secret merge: .*postgres sets type: redis, but the FeatureStore says postgres' err ||
	fail "type mismatch message: $(cat err)"

# A Secret that is not a mapping is refused.
printf -- '- a\n- b\n' >run/online-store-config/postgres
rm -rf data
expect_exit 1 "$PYTHON" run_init.py store.json feast-init "$TEST_TMP" 2>err
grep -q 'must hold a YAML mapping' err || fail "non-mapping message: $(cat err)"

# Init containers disabled, packaged repository: feast-config does only the merge.
cat >packaged.yaml <<'EOF'
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: pkg
  namespace: feast
spec:
  feastProject: pkg
  feastProjectDir:
    packaged:
      image: example.com/pkg:1
      featureRepoPath: /opt/pkg/repo
  services:
    disableInitContainers: true
    onlineStore:
      persistence:
        store:
          type: redis
          secretRef:
            name: redis
EOF
"$FEAST" render -f packaged.yaml -o json >packaged.json
mkdir -p run/online-store-config config
printf 'connection_string: redis:6379,password=${REDIS_PASSWORD}\n' >run/online-store-config/redis
"$PYTHON" run_init.py packaged.json feast-config "$TEST_TMP" 2>err || { cat err; fail "feast-config failed"; }
"$PYTHON" - config/feature_store.yaml <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
assert c["online_store"] == {"type": "redis", "connection_string": "redis:6379,password=${REDIS_PASSWORD}"}, c
PY

# Packaged with init containers: the staged copy gets the merged file.
sed -i '/disableInitContainers/d' packaged.yaml
"$FEAST" render -f packaged.yaml -o json >packaged.json
mkdir -p pkg/repo && echo 'x = 1' >pkg/repo/features.py
"$PYTHON" run_init.py packaged.json feast-init "$TEST_TMP" 2>err || { cat err; fail "packaged feast-init failed"; }
[ -f data/pkg/feature_repo/features.py ] || fail "packaged repository not staged"
grep -q 'password=${REDIS_PASSWORD}' data/pkg/feature_repo/feature_store.yaml || fail "packaged merge missing"
echo "runtime merge verified"

# The script ships once per namespace, in a ConfigMap named by its content; no pod spec
# carries it.
sed 's/name: merged/name: merged2/' store.yaml >store2.yaml
sed -e 's/namespace: feast/namespace: other/' -e 's/name: merged$/name: merged3/' store.yaml >store3.yaml
"$FEAST" render -f store.yaml -f packaged.yaml -f store2.yaml -f store3.yaml -o json >ns.json
"$PYTHON" - ns.json "$SRC/templates/scripts/secret-merge.py" <<'PY'
import json, re, sys
items = json.load(open(sys.argv[1]))["items"]
script = open(sys.argv[2]).read()
cms = [i for i in items if i["kind"] == "ConfigMap" and i["metadata"]["name"].startswith("feast-secret-merge-")]
assert sorted(c["metadata"]["namespace"] for c in cms) == ["feast", "other"], cms
assert len({c["metadata"]["name"] for c in cms}) == 1
assert re.fullmatch(r"feast-secret-merge-[0-9a-f]{10}", cms[0]["metadata"]["name"]), cms[0]["metadata"]
assert all(c["data"] == {"secret-merge.py": script} and c["immutable"] for c in cms)
for d in (i for i in items if i["kind"] == "Deployment"):
    assert "def main" not in json.dumps(d), d["metadata"]["name"] + " inlines the script"
    vols = [v for v in d["spec"]["template"]["spec"]["volumes"] if v["name"] == "feast-secret-merge"]
    assert vols == [{"name": "feast-secret-merge", "configMap": {"name": cms[0]["metadata"]["name"]}}], vols
PY

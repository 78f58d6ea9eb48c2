# apiserver_kubectl.sh -- fidelity: the real kubectl against the test API server.
# Every assertion is on kubectl's own output and exit code.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
command -v kubectl >/dev/null || fail "kubectl is not installed"
apiserver_start --deployment-delay 0.3

# expect_out CODE WANT_REGEX CMD...: run CMD (stdout+stderr to out), check exit and output.
expect_out() {
	code=$1
	want=$2
	shift 2
	set +e
	"$@" >out 2>&1
	got=$?
	set -e
	[ "$got" = "$code" ] || { cat out >&2; fail "expected exit $code, got $got: $*"; }
	grep -Eq -- "$want" out || { cat out >&2; fail "output of '$*' lacks /$want/"; }
}

# ---- discovery and version ----
expect_out 0 'featurestores +feast +feast.dev/v1 +true +FeatureStore' kubectl api-resources
grep -Eq '^leases +coordination.k8s.io/v1 +true +Lease' out || fail "api-resources: leases"
grep -Eq '^scaledobjects +so +keda.sh/v1alpha1 +true +ScaledObject' out || fail "api-resources: so"
grep -Eq '^deployments +deploy +apps/v1 +true +Deployment' out || fail "api-resources: deploy"
expect_out 0 'Server Version: v1\.32' kubectl version

# ---- server-side apply: create, then unchanged ----
cat >app.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: nginx:1.25
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  labels: {app: web, tier: front}
data:
  a: "1"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  labels: {tier: back}
data: {}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: lock
spec:
  holderIdentity: pod-a
  leaseDurationSeconds: 15
  leaseTransitions: 0
---
apiVersion: feast.dev/v1
kind: FeatureStore
metadata:
  name: sample
spec:
  feastProject: demo
  replicas: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
YAML
expect_out 0 'deployment.apps/web serverside-applied' kubectl apply --server-side -f app.yaml
for line in 'configmap/cfg serverside-applied' 'configmap/other serverside-applied' \
	'lease.coordination.k8s.io/lock serverside-applied' \
	'featurestore.feast.dev/sample serverside-applied' 'service/web serverside-applied'; do
	grep -q "^$line\$" out || fail "apply output lacks '$line'"
done
# (the simulated controller writes status until the rollout is done, as a real one would)
kubectl rollout status deploy/web --timeout=20s >/dev/null
kubectl get deploy,cm,lease,featurestore,svc -o jsonpath='{range .items[*]}{.metadata.resourceVersion} {end}' >rv1
kubectl apply --server-side -f app.yaml >/dev/null
kubectl get deploy,cm,lease,featurestore,svc -o jsonpath='{range .items[*]}{.metadata.resourceVersion} {end}' >rv2
same_file rv1 rv2

# ---- get: server-side tables, rollout status from the simulated controller ----
expect_out 0 'deployment "web" successfully rolled out' kubectl rollout status deploy/web --timeout=20s
expect_out 0 '^NAME +READY +UP-TO-DATE +AVAILABLE +AGE' kubectl get deploy
grep -Eq '^web +2/2 +2 +2 +[0-9]+s' out || { cat out; fail "deployment row"; }
expect_out 0 'condition met' kubectl wait --for=condition=Available deploy/web --timeout=10s
expect_out 0 '^NAME +DATA +AGE' kubectl get cm
grep -Eq '^cfg +1 +' out || fail "configmap row"
expect_out 0 '^web +ClusterIP +' kubectl get svc web
grep -q '80/TCP' out || fail "service ports column"
expect_out 0 '^lock +pod-a +[0-9]+s' kubectl get leases
expect_out 0 'holderIdentity: pod-a' kubectl get lease lock -o yaml
grep -q '^kind: Lease$' out || fail "lease yaml kind"
grep -q '^apiVersion: coordination.k8s.io/v1$' out || fail "lease yaml apiVersion"
grep -Eq '^  resourceVersion: "[0-9]+"$' out || fail "lease yaml resourceVersion"
grep -Eq '^  uid: [0-9a-f-]{36}$' out || fail "lease yaml uid"
grep -q 'managedFields' out && fail "kubectl hides managedFields by default"
expect_out 0 'manager: kubectl' kubectl get lease lock -o yaml --show-managed-fields
grep -q 'operation: Apply' out || fail "managedFields operation"
expect_out 0 '^sample +[0-9]+s' kubectl get feast

# ---- label and field selectors ----
expect_out 0 '^configmap/cfg$' kubectl get cm -l app=web -o name
expect_out 0 '^configmap/other$' kubectl get cm -l 'app!=web' -o name
grep -q cfg out && fail "app!=web matched cfg"
expect_out 0 '^configmap/cfg$' kubectl get cm -l 'tier in (front,middle)' -o name
expect_out 0 '^configmap/other$' kubectl get cm -l 'tier notin (front)' -o name
expect_out 0 '^configmap/other$' kubectl get cm -l '!app' -o name
expect_out 0 '^configmap/cfg$' kubectl get cm -l 'app' -o name
expect_out 0 '^configmap/other$' kubectl get cm --field-selector metadata.name=other -o name
expect_out 0 'No resources found in default namespace' kubectl get cm -l app=nothing

# ---- conflicts between field managers ----
sed 's/replicas: 2/replicas: 5/' app.yaml >app5.yaml
expect_out 1 'Apply failed with 1 conflict: conflict with "kubectl": \.spec\.replicas' \
	kubectl apply --server-side --field-manager=other -f app5.yaml
grep -q -- '--force-conflicts' out || fail "kubectl conflict hint"
expect_out 0 'deployment.apps/web serverside-applied' \
	kubectl apply --server-side --field-manager=other --force-conflicts -f app5.yaml
expect_out 0 '^5$' kubectl get deploy web -o jsonpath='{.spec.replicas}{"\n"}'
kubectl get deploy web -o json --show-managed-fields >dep.json
"$PYTHON" - <<'PY' || fail "managedFields after a forced apply"
import json
d = json.load(open("dep.json"))
owners = {m["manager"]: m["fieldsV1"] for m in d["metadata"]["managedFields"]}
assert "f:replicas" in owners["other"]["f:spec"], owners
assert "f:replicas" not in owners["kubectl"]["f:spec"], owners
assert "f:template" in owners["kubectl"]["f:spec"], owners
PY

# ---- scale: Deployment and the FeatureStore scale subresource ----
expect_out 0 '^deployment.apps/web scaled$' kubectl scale deploy web --replicas=3
expect_out 0 '^3$' kubectl get deploy web -o jsonpath='{.spec.replicas}{"\n"}'
expect_out 0 'successfully rolled out' kubectl rollout status deploy/web --timeout=20s
expect_out 0 '^3/3$' kubectl get deploy web -o jsonpath='{.status.readyReplicas}/{.status.availableReplicas}{"\n"}'
expect_out 1 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: \.spec\.replicas' \
	kubectl apply --server-side --field-manager=other -f app5.yaml
expect_out 0 '^featurestore.feast.dev/sample scaled$' kubectl scale featurestore sample --replicas=4
expect_out 0 '^4$' kubectl get featurestore sample -o jsonpath='{.spec.replicas}{"\n"}'
expect_out 1 'featurestores.feast.dev "nope" not found' kubectl scale featurestore nope --replicas=2
expect_out 0 '^deployment.apps/web scaled$' kubectl scale deploy web --current-replicas=3 --replicas=3

# ---- patch: strategic, merge, json ----
expect_out 0 '^deployment.apps/web patched$' kubectl patch deploy web \
	-p '{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:1.26"}]}}}}'
expect_out 0 '^nginx:1.26 80$' kubectl get deploy web \
	-o jsonpath='{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}{"\n"}'
expect_out 0 '^configmap/cfg patched$' kubectl patch cm cfg --type=merge -p '{"data":{"b":"2","a":null}}'
expect_out 0 '^\{"b":"2"\}$' kubectl get cm cfg -o jsonpath='{.data}{"\n"}'
expect_out 0 '^lease.coordination.k8s.io/lock patched$' kubectl patch lease lock --type=json \
	-p '[{"op":"replace","path":"/spec/holderIdentity","value":"pod-b"}]'
expect_out 0 '^pod-b$' kubectl get lease lock -o jsonpath='{.spec.holderIdentity}{"\n"}'
expect_out 0 'patched \(no change\)' kubectl patch cm cfg --type=merge -p '{"data":{"b":"2"}}'

# ---- optimistic concurrency: replace with a stale resourceVersion ----
kubectl get lease lock -o yaml >lease-old.yaml
kubectl patch lease lock --type=merge -p '{"spec":{"holderIdentity":"pod-c"}}' >/dev/null
expect_out 1 'Error from server \(Conflict\): error when replacing "lease-old.yaml": Operation cannot be fulfilled on leases.coordination.k8s.io "lock": the object has been modified; please apply your changes to the latest version and try again' \
	kubectl replace -f lease-old.yaml

# ---- validation ----
sed -e 's/name: web$/name: bad/' -e 's/replicas: 2/replicas: -1/' app.yaml | "$PYTHON" -c '
import sys, yaml
docs = [d for d in yaml.safe_load_all(sys.stdin) if d and d["kind"] == "Deployment"]
print(yaml.safe_dump(docs[0]))' >bad.yaml
expect_out 1 'The Deployment "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0' \
	kubectl apply --server-side -f bad.yaml

# ---- unknown fields: kubectl asks for strict server-side field validation ----
sed 's/image: nginx:1.25/image: nginx:1.25\n        foo: bar/' app.yaml >unknown.yaml
expect_out 1 'Error from server \(BadRequest\): failed to create typed patch object \(default/web; apps/v1, Kind=Deployment\): \.spec\.template\.spec\.containers\[name="c"\]\.foo: field not declared in schema' \
	kubectl apply --server-side -f unknown.yaml
sed 's/name: web$/name: web2/' unknown.yaml >unknown2.yaml
expect_out 1 'Error from server \(BadRequest\): error when creating "unknown2.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers\[0\].foo"' \
	kubectl apply -f unknown2.yaml
expect_out 0 'Warning: unknown field "spec.template.spec.containers\[0\].foo"' \
	kubectl apply --validate=warn -f unknown2.yaml
grep -q '^deployment.apps/web2 created$' out || fail "created with a warning"
expect_out 0 '^c:$' kubectl get deploy web2 -o jsonpath='{range .spec.template.spec.containers[*]}{.name}:{.foo}{"\n"}{end}'
kubectl delete deploy web2 >/dev/null

# ---- dry run on the server ----
cat >dry.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: dry}
data: {k: v}
YAML
expect_out 0 '^configmap/dry serverside-applied \(server dry run\)$' \
	kubectl apply --server-side --dry-run=server -f dry.yaml
expect_out 1 'Error from server \(NotFound\): configmaps "dry" not found' kubectl get cm dry
expect_out 0 '^configmap "cfg" deleted \(server dry run\)$' kubectl delete cm cfg --dry-run=server
expect_out 0 '^configmap/cfg$' kubectl get cm cfg -o name
expect_out 0 'deployment.apps/web serverside-applied \(server dry run\)' \
	kubectl apply --server-side --dry-run=server --force-conflicts -f app.yaml
expect_out 0 '^3$' kubectl get deploy web -o jsonpath='{.spec.replicas}{"\n"}'

# ---- delete ----
expect_out 0 '^deployment.apps "web" deleted$' kubectl delete deploy web
expect_out 1 'Error from server \(NotFound\): deployments.apps "web" not found' kubectl get deploy web
expect_out 0 'lease.coordination.k8s.io "lock" deleted' kubectl delete -f app.yaml --ignore-not-found
expect_out 0 'No resources found' kubectl get cm,lease,featurestores -l 'app in (web)'

# ---- typed-client generators: kubectl sends their objects as protobuf ----
expect_out 0 '^namespace/feast created$' kubectl create namespace feast
expect_out 1 '^Error from server \(AlreadyExists\): namespaces "feast" already exists$' \
	kubectl create namespace feast
expect_out 0 '^Active feast$' kubectl get ns feast \
	-o jsonpath='{.status.phase} {.metadata.labels.kubernetes\.io/metadata\.name}{"\n"}'
expect_out 0 '^namespace/dry created \(server dry run\)$' kubectl create namespace dry --dry-run=server
expect_out 1 'Error from server \(NotFound\): namespaces "dry" not found' kubectl get ns dry
expect_out 0 '^[0-9a-f-]{36} dry$' kubectl create namespace dry --dry-run=server \
	-o jsonpath='{.metadata.uid} {.metadata.labels.kubernetes\.io/metadata\.name}{"\n"}'
printf 'line one\nline two\n' >settings.txt
printf 'ok\377\376' >blob.bin
expect_out 0 '^configmap/gen created$' kubectl -n feast create configmap gen \
	--from-literal=k=v --from-file=settings.txt --from-file=blob=blob.bin
expect_out 0 '^v b2v//g==$' kubectl -n feast get cm gen -o jsonpath='{.data.k} {.binaryData.blob}{"\n"}'
kubectl -n feast get cm gen -o jsonpath='{.data.settings\.txt}' >settings.got
same_file settings.txt settings.got
expect_out 0 '^configmap/drycm created \(server dry run\)$' kubectl -n feast create configmap drycm \
	--from-literal=a=b --dry-run=server
expect_out 1 'Error from server \(NotFound\): configmaps "drycm" not found' kubectl -n feast get cm drycm
expect_out 0 '^secret/creds created$' kubectl -n feast create secret generic creds \
	--from-literal=password=s3cr3t --type=example.com/creds
expect_out 0 '^example.com/creds czNjcjN0$' kubectl -n feast get secret creds \
	-o jsonpath='{.type} {.data.password}{"\n"}'
expect_out 0 '^secret/plain created$' kubectl -n feast create secret generic plain --from-literal=a=b
expect_out 0 '^Opaque Yg==$' kubectl -n feast get secret plain -o jsonpath='{.type} {.data.a}{"\n"}'
expect_out 0 '^serviceaccount/robot created$' kubectl -n feast create serviceaccount robot
expect_out 0 '^robot$' kubectl -n feast get sa robot -o jsonpath='{.metadata.name}{"\n"}'
expect_out 0 '^role.rbac.authorization.k8s.io/reader created$' kubectl -n feast create role reader \
	--verb=get,list --resource=configmaps,deployments.apps --resource-name=gen
expect_out 0 '^\[get list\] \[\] \[configmaps\] \[gen\] \[get list\] \[apps\] \[deployments\] \[gen\] $' \
	kubectl -n feast get role reader -o jsonpath='{range .rules[*]}[{.verbs[*]}] [{.apiGroups[0]}] [{.resources[*]}] [{.resourceNames[*]}] {end}{"\n"}'
expect_out 0 '^rolebinding.rbac.authorization.k8s.io/readers created$' kubectl -n feast \
	create rolebinding readers --role=reader --user=alice --serviceaccount=feast:robot
expect_out 0 '^rbac.authorization.k8s.io/Role/reader User:/alice ServiceAccount:feast/robot $' \
	kubectl -n feast get rolebinding readers -o jsonpath='{.roleRef.apiGroup}/{.roleRef.kind}/{.roleRef.name} {range .subjects[*]}{.kind}:{.namespace}{"/"}{.name} {end}{"\n"}'
expect_out 0 '^clusterrole.rbac.authorization.k8s.io/health created$' kubectl create clusterrole health \
	--verb=get --non-resource-url=/healthz
expect_out 0 '^clusterrolebinding.rbac.authorization.k8s.io/health created$' \
	kubectl create clusterrolebinding health --clusterrole=health --group=devs
expect_out 0 '^/healthz ClusterRole/health Group:devs$' sh -c "kubectl get clusterrole health \
	-o jsonpath='{.rules[0].nonResourceURLs[0]} ' && kubectl get clusterrolebinding health \
	-o jsonpath='{.roleRef.kind}/{.roleRef.name} {.subjects[0].kind}:{.subjects[0].name}{\"\\n\"}'"
# The same generator through JSON (--dry-run=client -o json | create -f) stores the same
# object: the decoded protobuf is the JSON kubectl would have sent.
# same_as_json RESOURCE NAME "GENERATOR" ARGS...: NAME was made from protobuf; make NAME-json.
same_as_json() {
	_res=$1
	_n=$2
	_gen=$3
	shift 3
	kubectl -n feast create $_gen "$_n-json" "$@" --dry-run=client -o json |
		kubectl create -f - >/dev/null
	kubectl -n feast get "$_res" "$_n" -o json --show-managed-fields >proto.json
	kubectl -n feast get "$_res" "$_n-json" -o json --show-managed-fields >json.json
	"$PYTHON" - <<'PY' || fail "protobuf and JSON bodies stored differently: $_gen $_n"
import json, sys
def load(p):
    d = json.load(open(p))
    for k in ("name", "uid", "resourceVersion", "creationTimestamp"):
        d["metadata"].pop(k)
    for e in d["metadata"].get("managedFields", []):
        e.pop("time")
    return d
a, b = load("proto.json"), load("json.json")
if a != b:
    print(json.dumps(a, indent=1), json.dumps(b, indent=1))
    sys.exit(1)
PY
}
same_as_json cm gen configmap --from-literal=k=v --from-file=settings.txt --from-file=blob=blob.bin
same_as_json secret creds "secret generic" --from-literal=password=s3cr3t --type=example.com/creds
same_as_json sa robot serviceaccount
same_as_json role reader role --verb=get,list --resource=configmaps,deployments.apps --resource-name=gen
same_as_json rolebinding readers rolebinding --role=reader --user=alice --serviceaccount=feast:robot
# Kinds the test server cannot decode say so (a real kube-apiserver takes them).
expect_out 1 '^error: failed to create deployment: the test API server cannot decode this protobuf body: kind Deployment \(apps/v1\)' \
	kubectl -n feast create deployment d --image=nginx
# label and annotate send JSON merge patches to what the generators made
expect_out 0 '^namespace/feast labeled$' kubectl label ns feast team=ml
expect_out 0 '^configmap/gen annotated$' kubectl -n feast annotate cm gen note=x
expect_out 0 '^ml x$' sh -c "kubectl get ns feast -o jsonpath='{.metadata.labels.team} ' &&
	kubectl -n feast get cm gen -o jsonpath='{.metadata.annotations.note}{\"\\n\"}'"
expect_out 0 '^namespace "feast" deleted$' kubectl delete ns feast
expect_out 0 'No resources found in feast namespace' kubectl -n feast get cm,secret,sa,role,rolebinding

# ---- authentication and TLS ----
expect_out 1 'error: You must be logged in to the server \(Unauthorized\)' kubectl --token=wrong get cm
expect_out 1 'Error from server \(Forbidden\): configmaps is forbidden: User "forbidden-user" cannot list resource "configmaps" in API group "" in the namespace "default"' \
	kubectl --token="$APISERVER_FORBIDDEN_TOKEN" get cm
expect_out 1 'Error from server \(Forbidden\): leases.coordination.k8s.io "x" is forbidden: User "forbidden-user" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "default"' \
	kubectl --token="$APISERVER_FORBIDDEN_TOKEN" get lease x
apiserver_kubeconfig certs.kubeconfig ""
expect_out 0 '^namespace/default$' kubectl --kubeconfig=certs.kubeconfig get ns default -o name
sed "s#certificate-authority: .*#certificate-authority: $APISERVER_DIR/certs/wrong-ca.crt#" \
	"$KUBECONFIG" >wrongca.kubeconfig
expect_out 1 'certificate signed by unknown authority' kubectl --kubeconfig=wrongca.kubeconfig get cm
# impersonation: the request runs as the --as user; forbidden-user may not impersonate
expect_out 1 'Error from server \(Forbidden\): configmaps is forbidden: User "forbidden-user" cannot list resource "configmaps" in API group "" in the namespace "default"' \
	kubectl get cm --as=forbidden-user
expect_out 0 '^namespace/default$' kubectl get ns default -o name --as=ops --as-group=a --as-group=b --as-uid=42
expect_out 1 'Error from server \(Forbidden\): users "test-user" is forbidden: User "forbidden-user" cannot impersonate resource "users" in API group "" at the cluster scope' \
	kubectl --token="$APISERVER_FORBIDDEN_TOKEN" get cm --as=test-user
# basic auth: kubectl 1.32 still sends username/password from a kubeconfig user
sed "s#^    token: .*#    username: $APISERVER_BASIC_USER\n    password: $APISERVER_BASIC_PASSWORD#" \
	"$KUBECONFIG" >basic.kubeconfig
expect_out 0 '^namespace/default$' kubectl --kubeconfig=basic.kubeconfig get ns default -o name
sed "s#^    password: .*#    password: wrong#" basic.kubeconfig >basic-wrong.kubeconfig
expect_out 1 'error: You must be logged in to the server \(Unauthorized\)' \
	kubectl --kubeconfig=basic-wrong.kubeconfig get cm
# ---- client-side apply (strategic merge patch computed by kubectl) ----
expect_out 0 '^deployment.apps/web created$' kubectl apply -f app.yaml
expect_out 0 '^deployment.apps/web unchanged$' kubectl apply -f app.yaml
sed 's/nginx:1.25/nginx:1.27/' app.yaml >app127.yaml
expect_out 0 '^deployment.apps/web configured$' kubectl apply -f app127.yaml
grep -q '^configmap/cfg unchanged$' out || fail "client-side apply: cfg unchanged"
expect_out 0 '^nginx:1.27 2 80$' kubectl get deploy web -o jsonpath='{.spec.template.spec.containers[0].image} {.metadata.generation} {.spec.template.spec.containers[0].ports[0].containerPort}{"\n"}'

# ---- watch: kubectl get -w sees a change as it happens ----
# wait_for REGEX FILE: until a line of FILE matches (20 s at most).
wait_for() {
	_i=0
	until grep -Eq "$1" "$2" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || { cat "$2" >&2; fail "no /$1/ in $2"; }
		sleep 0.1
	done
}
timeout 30 kubectl get lease lock -w --output-watch-events >watch.out 2>&1 &
watcher=$!
wait_for '^ADDED +lock +pod-a' watch.out
kubectl patch lease lock --type=merge -p '{"spec":{"holderIdentity":"watched"}}' >/dev/null
wait_for '^MODIFIED +lock +watched' watch.out
kill "$watcher" 2>/dev/null || true
wait "$watcher" || true
echo "apiserver_kubectl: ok"

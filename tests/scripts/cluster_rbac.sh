# cluster_rbac.sh -- the rendered sidecar Role on a real API server: with a token of the store's ServiceAccount bound to one pod, the sidecar takes its Lease; other Leases, Secrets and other pods' status are refused (403), with `kubectl auth can-i` as a second witness and the limits of docs/sidecar.md shown.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cd "$TEST_TMP"
real_cluster_start feast
trap 'cleanup_pids; real_cluster_stop' EXIT
SA=system:serviceaccount:feast:feast-shop
API=$CLUSTER_URL/api/v1/namespaces/feast
LEASES=$CLUSTER_URL/apis/coordination.k8s.io/v1/namespaces/feast/leases

feature_store shop feast "" "  replicas: 2" >shop.yaml
"$FEAST" apply -f shop.yaml --readiness gate >/dev/null
kubectl create secret generic stores -n feast --from-literal=password=s3cret >/dev/null
two_pods() { [ "$(kubectl get pods -n feast -l feast.dev/name=shop -o name | wc -l)" = 2 ]; }
wait_for 30 two_pods || fail "no two pods: $(kubectl get pods -n feast)"
# Started by kwok (whose first status replaces the conditions) before anyone writes one.
kubectl wait pods -n feast -l feast.dev/name=shop --for=condition=ContainersReady --timeout=30s >/dev/null
set -- $(kubectl get pods -n feast -l feast.dev/name=shop -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.uid} {end}')
A=$1 B=$3
# The token pod A's kubelet would mount: the ServiceAccount's, bound to A.
TOKEN=$(kubectl create token feast-shop -n feast --bound-object-kind Pod --bound-object-name "$A" \
	--bound-object-uid "$2")
sed "s#token: .*#token: $TOKEN#; s#namespace: default#namespace: feast#" "$KUBECONFIG" >kc-sa

# code METHOD URL [BODY]: the HTTP status of one request with A's token (body in ./resp).
code() {
	curl -sS -o resp -w '%{http_code}' --cacert "$CLUSTER_CA" -H "Authorization: Bearer $TOKEN" \
		-X "$1" ${3:+-H "Content-Type: ${4:-application/json}" --data "$3"} "$2"
}
# expect_code WANT METHOD URL [BODY [TYPE]]
expect_code() {
	_want=$1
	shift
	_got=$(code "$@")
	[ "$_got" = "$_want" ] || fail "$1 $2: HTTP $_got, want $_want: $(cat resp)"
}
# can_i ANSWER VERB RESOURCE[/NAME] [SUBRESOURCE]: kubectl auth can-i's answer for the SA.
can_i() {
	_a=$(kubectl auth can-i "$2" "$3" ${4:+--subresource="$4"} -n feast --as="$SA" 2>/dev/null || true)
	[ "$_a" = "$1" ] || fail "can-i $2 $3 ${4:-}: $_a, want $1"
}

# ---- witness 1: the authorizer's own answers for the rendered Role ----
can_i yes get leases.coordination.k8s.io/feast-shop-registry-lock
can_i yes update leases.coordination.k8s.io/feast-shop-registry-lock
can_i yes watch leases.coordination.k8s.io/feast-shop-registry-lock
can_i no get leases.coordination.k8s.io/other-lock
can_i no update leases.coordination.k8s.io/other-lock
can_i no delete leases.coordination.k8s.io/feast-shop-registry-lock
can_i no list leases.coordination.k8s.io
can_i yes create leases.coordination.k8s.io # any name: RBAC cannot limit create
can_i yes patch "pods/$B" status            # any pod: RBAC cannot limit it to its own
can_i no update "pods/$A" status
can_i no patch "pods/$A"
can_i no delete "pods/$A"
can_i no get secrets/stores
can_i no list secrets
can_i no create pods/exec

# ---- witness 2: real requests with A's token ----
# The sidecar takes its Lease (created, then renewed and released with update).
"$FEAST_BIN_DIR/feast-sidecar" lock --kubeconfig kc-sa --name shop --identity "$A" -w 20 -- touch ran 2>lock.err ||
	fail "the sidecar could not take its Lease: $(cat lock.err)"
[ -e ran ] || fail "the command did not run under the lock"
[ "$(kubectl get lease feast-shop-registry-lock -n feast -o jsonpath='{.metadata.annotations.feast\.dev/registry-generation}')" = 1 ] ||
	fail "the release did not write the generation"
expect_code 200 GET "$LEASES/feast-shop-registry-lock"
# Another Lease, which exists: the sidecar is refused at once (69, forbidden), and so is
# every read and write.
kubectl create -f - >/dev/null <<'YAML'
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: other-lock, namespace: feast}
spec: {holderIdentity: someone-else, leaseDurationSeconds: 15}
YAML
set +e
"$FEAST_BIN_DIR/feast-sidecar" lock --kubeconfig kc-sa --lease other-lock -w 5 -- touch ran-other 2>other.err
rc=$?
set -e
[ "$rc" = 69 ] || fail "a lock on another Lease: exit $rc, want 69: $(cat other.err)"
[ ! -e ran-other ] || fail "a command ran under another store's Lease"
has other.err '[Ff]orbidden|403'
expect_code 403 GET "$LEASES/other-lock"
expect_code 403 PUT "$LEASES/other-lock" '{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"other-lock"},"spec":{"holderIdentity":"me"}}'
expect_code 403 DELETE "$LEASES/other-lock"
expect_code 403 GET "$LEASES"
[ "$(kubectl get lease other-lock -n feast -o jsonpath='{.spec.holderIdentity}')" = someone-else ] ||
	fail "another Lease changed"
# The limit of create (docs/sidecar.md): a new Lease of any name is accepted...
expect_code 201 POST "$LEASES" '{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"litter"}}'
# ... and is then as out of reach as any other.
expect_code 403 GET "$LEASES/litter"
# Secrets: neither the store's nor the list.
expect_code 403 GET "$API/secrets/stores"
expect_code 403 GET "$API/secrets"
kubectl --kubeconfig kc-sa get secret stores >ks.out 2>ks.err && fail "kubectl read a Secret with the token"
has ks.err 'Forbidden|forbidden'
# The pods: get yes, anything but a status patch no.
expect_code 200 GET "$API/pods/$A"
expect_code 403 GET "$API/pods"
expect_code 403 PATCH "$API/pods/$A" '{"metadata":{"labels":{"x":"y"}}}' application/merge-patch+json
expect_code 403 DELETE "$API/pods/$B"

# ---- pods/status: the gate write, its own Pod and (the RBAC limit) another's ----
gate_patch() { printf '{"status":{"conditions":[{"type":"feast.dev/registry-ready","status":"%s"}]}}' "$1"; }
SMP=application/strategic-merge-patch+json
expect_code 200 PATCH "$API/pods/$A/status" "$(gate_patch True)" $SMP
# RBAC alone lets A's token write B's status, and relabel B through it.
expect_code 200 PATCH "$API/pods/$B/status" "$(gate_patch True)" $SMP
expect_code 200 PATCH "$API/pods/$B/status" '{"metadata":{"labels":{"relabelled":"yes"}}}' $SMP
[ "$(kubectl get pod "$B" -n feast -o jsonpath='{.metadata.labels.relabelled}')" = yes ] ||
	fail "a status patch did not relabel: docs/sidecar.md says it does"
kubectl label pod "$B" -n feast relabelled- >/dev/null
# With the policy of docs/sidecar.md: only A's own status, and no labels.
sed -n '/^<!-- sidecar-own-pod-policy -->$/,/^<!-- \/sidecar-own-pod-policy -->$/p' \
	"$SRC/docs/sidecar.md" | sed '1,2d;$d' | sed '$d' >policy.yaml
has policy.yaml '^kind: ValidatingAdmissionPolicyBinding$' "the policy in docs/sidecar.md"
kubectl apply -f policy.yaml >/dev/null
# (Polled with the value B has: the policy takes a moment to load, and a write before it
# must change nothing.)
refused() { [ "$(code PATCH "$API/pods/$B/status" "$(gate_patch True)" $SMP)" = 403 ]; }
wait_for 20 refused || fail "the policy did not refuse B's status: $(cat resp)"
has resp 'may write the status of its own Pod only'
expect_code 403 PATCH "$API/pods/$A/status" '{"metadata":{"labels":{"relabelled":"yes"}}}' $SMP
has resp "may not change a Pod's labels or annotations"
expect_code 200 PATCH "$API/pods/$A/status" "$(gate_patch False)" $SMP
# The real sidecar in gate mode still writes its own condition under the policy.
set -- $("$PYTHON" "$SRC/tests/ready_sim.py" freeport 2)
"$PYTHON" "$SRC/tests/ready_sim.py" server "$A" "$2" 0 server.events &
track $!
POD_NAME=$A "$FEAST_BIN_DIR/feast-sidecar" run --kubeconfig kc-sa --name shop --readiness gate \
	--health "http://127.0.0.1:$2/health" --registry-ttl 1s --sync-margin 0s \
	--socket "$TEST_TMP/sock" --listen "127.0.0.1:$1" --lock-client "" 2>daemon.log &
track $!
gate_true() { [ "$(kubectl get pod "$A" -n feast -o jsonpath='{.status.conditions[?(@.type=="feast.dev/registry-ready")].status}')" = True ]; }
wait_for 20 gate_true || fail "the sidecar did not write its gate under the policy: $(cat daemon.log)"
# The other pod's condition is still what A's token left there before the policy.
[ "$(kubectl get pod "$B" -n feast -o jsonpath='{.status.conditions[?(@.type=="feast.dev/registry-ready")].status}')" = True ] ||
	fail "B's condition changed"
echo ok

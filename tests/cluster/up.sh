#!/bin/sh
# up.sh -- start a real Kubernetes control plane on loopback for the cluster tests.
#
# Usage: tests/cluster/up.sh DIR        (stop it with tests/cluster/down.sh DIR)
#
# Starts etcd, kube-apiserver (TLS with certificates made here, token authentication, the
# RBAC authorizer, a service-account token issuer), kube-controller-manager with its default
# controllers (deployment, replicaset, HPA, disruption, garbage collector, service accounts,
# jobs...), kube-scheduler and kwok (fake nodes: pods bound to them are marked Running and
# Ready by the stages in kwok-stages.yaml; no container runs). Then installs the CRDs of
# data/crds/ (FeatureStore, KEDA ScaledObject) and tests/cluster/crds/ (ServiceMonitor,
# Route), creates two fake nodes and returns once
# pods can be scheduled. Ports are chosen free, so two runs can share a machine.
#
# Writes into DIR: kubeconfig (the admin, group system:masters); env (shell variables:
# CLUSTER_BIN, the control plane's binaries and its kubectl; CLUSTER_URL, CLUSTER_CA,
# CLUSTER_ADMIN_TOKEN, CLUSTER_USER_TOKEN of a user with no rights, KUBECONFIG); pids
# (what down.sh stops); baseline (its cluster-scoped objects, for reset.sh); audit.log
# (each request of a user, one JSON line: see audit-policy.yaml); logs/. If the control
# plane is not ready within $CLUSTER_START_TIMEOUT seconds (120), fails after stopping
# whatever it started.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
dir=$(cd "$1" && pwd)
timeout=${CLUSTER_START_TIMEOUT:-120}
bin=${FEAST_CLUSTER_BIN:-$("$here/build.sh" | tail -n 1)}
# The kubectl of the same release as the server, so no version-skew warning reaches a test.
PATH=$bin:$PATH
mkdir -p "$dir/logs" "$dir/pki"
: >"$dir/pids"

die() {
	echo "up.sh: $*" >&2
	for _l in "$dir"/logs/*.log; do
		[ -s "$_l" ] && { echo "--- $_l" >&2; tail -n 20 "$_l" >&2; }
	done
	"$here/down.sh" "$dir" >/dev/null 2>&1 || true
	exit 1
}

# free_port: a TCP port on 127.0.0.1 nobody listens on now (the kernel's choice).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start NAME COMMAND...: run a component in the background, its output in logs/NAME.log.
start() {
	_name=$1
	shift
	"$@" >"$dir/logs/$_name.log" 2>&1 &
	echo "$! $_name" >>"$dir/pids"
}

# wait_for WHAT COMMAND...: poll COMMAND until it succeeds, within the start timeout.
wait_for() {
	_what=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || die "$_what not ready after $timeout s"
		sleep 0.2
	done
}

deadline=$(($(date +%s) + timeout))
sh "$here/pki.sh" "$dir/pki"
admin_token=$(cat "$dir/pki/admin.token")
user_token=$(cat "$dir/pki/user.token")

etcd_port=$(free_port)
peer_port=$(free_port)
start etcd "$bin/etcd" --name=test --data-dir="$dir/etcd" \
	--listen-client-urls="http://127.0.0.1:$etcd_port" \
	--advertise-client-urls="http://127.0.0.1:$etcd_port" \
	--listen-peer-urls="http://127.0.0.1:$peer_port" \
	--initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
	--initial-cluster="test=http://127.0.0.1:$peer_port" \
	--unsafe-no-fsync=true --log-level=warn
wait_for etcd curl -sf "http://127.0.0.1:$etcd_port/health"

api_port=$(free_port)
url=https://127.0.0.1:$api_port
start kube-apiserver "$bin/kube-apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" \
	--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
	--tls-cert-file="$dir/pki/apiserver.crt" --tls-private-key-file="$dir/pki/apiserver.key" \
	--client-ca-file="$dir/pki/ca.crt" --token-auth-file="$dir/pki/tokens.csv" \
	--authorization-mode=RBAC \
	--service-account-issuer=https://kubernetes.default.svc.cluster.local \
	--service-account-signing-key-file="$dir/pki/sa.key" \
	--service-account-key-file="$dir/pki/sa.pub" \
	--api-audiences=https://kubernetes.default.svc.cluster.local \
	--service-cluster-ip-range=10.96.0.0/16 --allow-privileged=true \
	--audit-policy-file="$here/audit-policy.yaml" --audit-log-path="$dir/audit.log" \
	--audit-log-format=json --profiling=false --v=1
wait_for kube-apiserver curl -sf --cacert "$dir/pki/ca.crt" \
	-H "Authorization: Bearer $admin_token" "$url/readyz"

# kubeconfig FILE TOKEN: a kubeconfig for one user of this cluster.
kubeconfig() {
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: $url
    certificate-authority: $dir/pki/ca.crt
users:
- name: test
  user:
    token: $2
contexts:
- name: test
  context: {cluster: test, user: test, namespace: default}
current-context: test
EOF
}
kubeconfig "$dir/kubeconfig" "$admin_token"
kubeconfig "$dir/kcm.kubeconfig" "$(cat "$dir/pki/kcm.token")"
kubeconfig "$dir/scheduler.kubeconfig" "$(cat "$dir/pki/scheduler.token")"
kubeconfig "$dir/kwok.kubeconfig" "$(cat "$dir/pki/kwok.token")"
export KUBECONFIG="$dir/kubeconfig"

start kube-controller-manager "$bin/kube-controller-manager" \
	--kubeconfig="$dir/kcm.kubeconfig" --leader-elect=false --controllers='*' \
	--use-service-account-credentials=true \
	--service-account-private-key-file="$dir/pki/sa.key" --root-ca-file="$dir/pki/ca.crt" \
	--cluster-signing-cert-file="$dir/pki/ca.crt" --cluster-signing-key-file="$dir/pki/ca.key" \
	--bind-address=127.0.0.1 --secure-port=0 --node-monitor-grace-period=60s \
	--horizontal-pod-autoscaler-sync-period=5s --profiling=false
start kube-scheduler "$bin/kube-scheduler" --kubeconfig="$dir/scheduler.kubeconfig" \
	--leader-elect=false --bind-address=127.0.0.1 --secure-port=0 --profiling=false
start kwok "$bin/kwok" --kubeconfig="$dir/kwok.kubeconfig" --manage-all-nodes=false \
	--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
	--cidr=10.244.0.0/16 --node-ip=10.1.0.1 --node-lease-duration-seconds=40 \
	--server-address="127.0.0.1:$(free_port)" -c "$here/kwok-stages.yaml"

kubectl apply --server-side -f "$src/data/crds/" -f "$here/crds/" >"$dir/logs/crds.log" 2>&1 ||
	die "the CRDs of data/crds/ and tests/cluster/crds/ were refused"
kubectl apply -f "$here/nodes.yaml" >"$dir/logs/nodes.log" 2>&1 || die "the fake nodes were refused"
wait_for "the CRDs" kubectl wait --for=condition=Established --timeout=2s \
	crd/featurestores.feast.dev crd/scaledobjects.keda.sh \
	crd/servicemonitors.monitoring.coreos.com crd/routes.route.openshift.io
wait_for "the fake nodes" kubectl wait --for=condition=Ready --timeout=2s node --all
# Pods are admitted only once a namespace has its service account "default".
wait_for "the default service account" kubectl get serviceaccount default -n default
# What reset.sh returns the cluster to.
. "$here/kinds.sh"
kubectl get "$CLUSTER_KINDS" -o name | sort >"$dir/baseline" || die "could not list the cluster"

cat >"$dir/env" <<EOF
CLUSTER_DIR='$dir'
CLUSTER_BIN='$bin'
CLUSTER_URL='$url'
CLUSTER_CA='$dir/pki/ca.crt'
CLUSTER_ADMIN_TOKEN='$admin_token'
CLUSTER_USER_TOKEN='$user_token'
KUBECONFIG='$dir/kubeconfig'
EOF
echo "up.sh: control plane ready at $url ($(($(date +%s) - deadline + timeout)) s); KUBECONFIG=$dir/kubeconfig" >&2

#!/bin/sh
# reset.sh -- return a control plane of tests/cluster/up.sh to the state up.sh left it in,
# so one control plane can serve many test scripts in turn.
#
# Usage: tests/cluster/reset.sh DIR
#
# Deletes the namespaces and cluster-scoped objects (RBAC, CRDs, admission, storage and
# scheduling classes) that are not in DIR/baseline, which up.sh wrote, and waits until they
# are gone: the next script may create a namespace of the same name. Objects of a store
# applied to the namespace "default" go too. Re-installs a CRD of up.sh's that a test removed.
# Bootstrap objects (names starting with system:) are never touched: the API server keeps
# them. Fails, naming what is left, if the cluster is not clean within $CLUSTER_RESET_TIMEOUT
# seconds (120).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
. "$dir/env"
PATH=$CLUSTER_BIN:$PATH
export KUBECONFIG
timeout=${CLUSTER_RESET_TIMEOUT:-120}
. "$here/kinds.sh"

# release_pods OBJECTS: the pods of the namespaces among OBJECTS that are being deleted but
# never bound to a node keep the finalizers their controller put on them (a Job's
# job-tracking) when that controller is gone first: no kubelet or kwok ever finishes them,
# so the namespace would never go. Their finalizers are dropped, as an operator would.
release_pods() {
	for _o in $1; do
		case $_o in namespace/*) ;; *) continue ;; esac
		kubectl get pods -n "${_o#namespace/}" -o go-template='{{range .items}}{{if and .metadata.deletionTimestamp .metadata.finalizers (not .spec.nodeName)}}{{.metadata.name}}{{"\n"}}{{end}}{{end}}' |
			while read -r _p; do
				kubectl patch pod "$_p" -n "${_o#namespace/}" --type=merge \
					-p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
			done
	done
}

kubectl get "$CLUSTER_KINDS" -o name | sort >"$dir/reset.now"
extra=$(comm -13 "$dir/baseline" "$dir/reset.now" | grep -v '/system:' || true)
missing=$(comm -23 "$dir/baseline" "$dir/reset.now" | grep -v '/system:' || true)

# What a test applied to "default" without a namespace of its own.
kubectl delete "$STORE_KINDS" -n default -l app.kubernetes.io/part-of=feast \
	--ignore-not-found --wait=false >/dev/null

if [ -n "$extra" ]; then
	# shellcheck disable=SC2086 # one argument per object name
	kubectl delete $extra --ignore-not-found --wait=false >/dev/null
	waited=0
	# shellcheck disable=SC2086
	until kubectl wait --for=delete $extra --timeout=5s >/dev/null 2>"$dir/reset.err"; do
		waited=$((waited + 5))
		[ "$waited" -lt "$timeout" ] || {
			echo "reset.sh: still there after $timeout s: $extra" >&2
			cat "$dir/reset.err" >&2
			exit 1
		}
		release_pods "$extra"
	done
fi
case "$missing" in
*customresourcedefinition*)
	kubectl apply --server-side -f "$src/data/crds/" -f "$here/crds/" >/dev/null
	kubectl wait --for=condition=Established --timeout="${timeout}s" crd --all >/dev/null
	missing=$(echo "$missing" | grep -v customresourcedefinition || true)
	;;
esac
[ -z "$missing" ] || { echo "reset.sh: a test deleted what up.sh made: $missing" >&2; exit 1; }
rm -f "$dir/reset.now" "$dir/reset.err"

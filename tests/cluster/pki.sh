#!/bin/sh
# pki.sh -- the certificates, keys and tokens of one test control plane (up.sh).
#
# Usage: tests/cluster/pki.sh DIR
#
# DIR/ca.{crt,key}: a CA made for this cluster only; apiserver.{crt,key}: its serving
# certificate for 127.0.0.1, localhost and the in-cluster names; sa.{key,pub}: the key pair
# that signs and verifies service-account tokens; tokens.csv: kube-apiserver's static
# token file with random tokens for the admin (group system:masters), the controller
# manager and scheduler (bootstrap RBAC binds their user names), kwok (it writes the status
# of nodes and pods, as a kubelet would) and a user with no rights
# at all; each token is also in NAME.token. Keys are mode 0600.
set -eu
d=$1
mkdir -p "$d"
umask 077
ssl() { openssl "$@" 2>/dev/null; }

ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kubectl-feast-test-ca" \
	-keyout "$d/ca.key" -out "$d/ca.crt"
cat >"$d/apiserver.ext" <<EXT
subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP:10.96.0.1
extendedKeyUsage = serverAuth
keyUsage = digitalSignature, keyEncipherment
EXT
ssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
	-keyout "$d/apiserver.key" -out "$d/apiserver.csr"
ssl x509 -req -in "$d/apiserver.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
	-days 2 -extfile "$d/apiserver.ext" -out "$d/apiserver.crt"
ssl genrsa -out "$d/sa.key" 2048
ssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub"
chmod 0644 "$d/ca.crt" "$d/apiserver.crt" "$d/sa.pub"

for who in admin kcm scheduler kwok user; do
	openssl rand -hex 24 >"$d/$who.token"
done
{
	echo "$(cat "$d/admin.token"),admin,uid-admin,\"system:masters\""
	echo "$(cat "$d/kcm.token"),system:kube-controller-manager,uid-kcm"
	echo "$(cat "$d/scheduler.token"),system:kube-scheduler,uid-scheduler"
	echo "$(cat "$d/kwok.token"),kwok,uid-kwok,\"system:masters\""
	echo "$(cat "$d/user.token"),test-user,uid-test-user"
} >"$d/tokens.csv"

#!/bin/sh
# mkcerts.sh DIR -- make the test API server's certificates with the openssl CLI:
#   ca.crt ca.key              the cluster CA (signs the server and client certificates)
#   server.crt server.key      serverAuth, SAN IP:127.0.0.1 and DNS:localhost
#   client.crt client.key      clientAuth, CN=client-user, O=system:masters (user "client-user")
#   wrong-ca.crt wrong-ca.key  an unrelated CA, for "wrong CA" tests
# Certificates are made by each test run and never committed. EC P-256 keys keep it fast.
set -eu
[ $# -eq 1 ] || { echo "usage: mkcerts.sh DIR" >&2; exit 2; }
dir=$1
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # ca NAME CN
	key "$1.key"
	openssl req -x509 -new -key "$1.key" -sha256 -days 3650 -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.crt" 2>/dev/null
}

leaf() { # leaf NAME SUBJECT EXTFILE
	key "$1.key"
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 \
		-days 3650 -extfile "$3" -out "$1.crt" 2>/dev/null
	rm -f "$1.csr"
}

ca ca "feast-test-ca"
ca wrong-ca "unrelated-ca"

cat >server.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
cat >client.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
EXT
leaf server "/CN=kube-apiserver" server.ext
leaf client "/O=system:masters/CN=client-user" client.ext
rm -f server.ext client.ext ca.srl
chmod 600 ./*.key

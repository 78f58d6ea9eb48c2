# pkg_image_http2.sh -- the image's HTTP stack against the real kube-apiserver, which offers
# h2 by ALPN over TLS. The image's daemon (build/cross/<arch>/bin/feast-sidecar.image: static
# libcurl and nghttp2 linked in) reports HTTP2 among its libcurl's features and takes a Lease,
# directly and through an HTTP CONNECT proxy (HTTPS_PROXY), with the CA still verified in the
# tunnel. Its own requests pin HTTP/1.1 (kube/kube_client.c, one kept-alive connection), so
# the protocol is shown by curl-probe, a GET asking for HTTP/2 linked with the same two
# archives: it must get HTTP/2 answers, directly and through the proxy.
# builds: image-bin-amd64 image-probe-amd64 -- the release trees under build/cross, shared by every script and run
# lock: build-cross -- its make writes build/cross when a tree is out of date
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"

arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
image_bin="$SRC/build/cross/$arch/bin"
make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" "build/cross/$arch/bin/feast-sidecar.image" \
	"build/cross/$arch/bin/curl-probe" >/dev/null || fail "cannot build the image's daemon and curl-probe"
daemon="$image_bin/feast-sidecar.image" probe="$image_bin/curl-probe"
for b in "$daemon" "$probe"; do
	! readelf -d "$b" | grep -Eq 'libcurl|libnghttp2' || fail "$b links a shared libcurl or nghttp2"
done
passed_before pkg_image_http2 "$daemon" "$probe" "$0" "$SRC/tests/lib.sh" "$SRC/tests/sidecar_lib.sh" \
	"$SRC/tests/cluster_lib.sh" "$SRC/tests/tools/connect_proxy.py"
cd "$TEST_TMP"

# What the daemon's libcurl says of itself.
"$daemon" version >version || fail "the image's daemon does not start"
sed -n 2p version | grep -q ' nghttp2/' || fail "no nghttp2 in the daemon's libcurl: $(cat version)"
sed -n 3p version | grep -qw HTTP2 || fail "no HTTP2 among the daemon's libcurl features: $(cat version)"

cluster_start h2test
trap 'cleanup_pids; real_cluster_stop' EXIT
"$PYTHON" "$SRC/tests/tools/connect_proxy.py" proxy.port proxy.log &
track $!
wait_for 10 test -s proxy.port || fail "the proxy did not start"
proxy=http://127.0.0.1:$(cat proxy.port)
target=${CLUSTER_URL#https://}

# The protocol: HTTP/2 from kube-apiserver, directly and through the tunnel.
out=$("$probe" "$CLUSTER_URL/version" "$CLUSTER_CA" "$CLUSTER_ADMIN_TOKEN") || fail "curl-probe could not GET /version"
[ "$out" = "HTTP/2 200" ] || fail "curl-probe directly: '$out', want 'HTTP/2 200'"
out=$(HTTPS_PROXY=$proxy "$probe" "$CLUSTER_URL/api/v1/namespaces/h2test" "$CLUSTER_CA" "$CLUSTER_ADMIN_TOKEN") ||
	fail "curl-probe could not GET through the proxy"
[ "$out" = "HTTP/2 200" ] || fail "curl-probe through the proxy: '$out', want 'HTTP/2 200'"
[ "$(grep -cx "$target" proxy.log)" = 1 ] || fail "curl-probe's request did not go through the proxy: $(cat proxy.log)"

# The daemon takes a Lease on the real API server: directly, then through the proxy that
# HTTPS_PROXY names (curl's own variable: the kubeconfig has no proxy-url here).
lease_gen() { kubectl get lease image-h2 -n h2test -o jsonpath='{.metadata.annotations.feast\.dev/registry-generation}'; }
"$daemon" lock --kubeconfig "$KUBECONFIG" -n h2test --lease image-h2 --identity direct -w 20 -- true 2>lock.err ||
	fail "the image's daemon could not take the Lease: $(cat lock.err)"
[ "$(lease_gen)" = 1 ] || fail "generation $(lease_gen) after the direct lock"
HTTPS_PROXY=$proxy "$daemon" lock --kubeconfig "$KUBECONFIG" -n h2test --lease image-h2 --identity proxied -w 20 \
	-- true 2>lock.err || fail "the image's daemon could not take the Lease through the proxy: $(cat lock.err)"
[ "$(lease_gen)" = 2 ] || fail "generation $(lease_gen) after the proxied lock"
[ "$(grep -cx "$target" proxy.log)" -ge 2 ] || fail "the daemon's requests did not go through the proxy: $(cat proxy.log)"
# Verification stays on through the tunnel: a CA that did not sign the server is refused.
openssl req -x509 -newkey rsa:2048 -nodes -keyout wrong.key -out wrong-ca.crt -days 1 -subj /CN=wrong \
	>/dev/null 2>&1 || fail "openssl could not make a CA"
sed "s|certificate-authority: .*|certificate-authority: $TEST_TMP/wrong-ca.crt|" "$KUBECONFIG" >kc-wrongca
expect_exit 78 env HTTPS_PROXY="$proxy" "$daemon" lock --kubeconfig kc-wrongca -n h2test --lease image-h2 -w 5 \
	-- true 2>err
grep -q 'could not be verified' err || fail "wrong CA through the proxy: $(cat err)"
expect_exit 1 env HTTPS_PROXY="$proxy" "$probe" "$CLUSTER_URL/version" wrong-ca.crt "$CLUSTER_ADMIN_TOKEN" 2>err
remember_pass pkg_image_http2 "image daemon ($(wc -c <"$daemon") bytes): $(sed -n 2p version); Lease taken direct and through CONNECT; curl-probe: HTTP/2 from kube-apiserver, direct and through CONNECT"

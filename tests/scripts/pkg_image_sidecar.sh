# pkg_image_sidecar.sh -- the image's daemon (build/cross/<arch>/bin/feast-sidecar.image: the
# static libcurl of scripts/curl-static.sh linked in) passes the sidecar's API-server scripts
# (TLS verification, wrong CA, token rotation, faults, takeover) in place of the development
# build, and reaches the API server through an HTTP CONNECT proxy named by the kubeconfig's
# proxy-url.
# builds: image-bin-amd64 -- the release trees under build/cross, shared by every script and run
# lock: build-cross -- its make writes build/cross when a tree is out of date
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"

arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" "build/cross/$arch/bin/feast-sidecar.image" >/dev/null ||
	fail "cannot build the image's daemon"
image_bin="$SRC/build/cross/$arch/bin"
if readelf -d "$image_bin/feast-sidecar.image" | grep -q 'libcurl'; then
	fail "the image's daemon links a shared libcurl"
fi
passed_before pkg_image_sidecar "$image_bin/feast-sidecar.image" "$image_bin/feast-lock" "$0" "$SRC/tests/lib.sh" \
	"$SRC/tests/sidecar_lib.sh" "$SRC"/tests/scripts/sidecar_api_*.sh "$SRC"/tests/apiserver/*.py \
	"$SRC/tests/tools/connect_proxy.py"
mkdir -p "$TEST_TMP/bin"
cp "$image_bin/feast-sidecar.image" "$TEST_TMP/bin/feast-sidecar"
cp "$image_bin/feast-lock" "$FEAST" "$TEST_TMP/bin/"

# The sidecar's own scripts, each in a scratch folder of its own, with the image's daemon.
bindir="$TEST_TMP/bin"
for s in sidecar_api_lock sidecar_api_faults sidecar_api_takeover; do
	mkdir -p "$TEST_TMP/$s"
	(cd "$TEST_TMP/$s" && FEAST_BIN_DIR="$bindir" TEST_TMP="$TEST_TMP/$s" sh "$SRC/tests/scripts/$s.sh") \
		>"$TEST_TMP/$s.log" 2>&1 || { tail -n 40 "$TEST_TMP/$s.log" >&2; fail "$s failed with the image's daemon"; }
done

# Through a proxy: a minimal HTTP CONNECT proxy that logs each tunnel it opens.
use_apiserver
"$PYTHON" "$SRC/tests/tools/connect_proxy.py" "$TEST_TMP/proxy.port" "$TEST_TMP/proxy.log" &
track $!
i=0
until [ -s "$TEST_TMP/proxy.port" ]; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || fail "the proxy did not start"
	sleep 0.05
done
sed "/^    server: /a\\    proxy-url: http://127.0.0.1:$(cat "$TEST_TMP/proxy.port")" "$KUBECONFIG" >"$TEST_TMP/proxied"
grep -q 'proxy-url' "$TEST_TMP/proxied" || fail "no proxy-url in the kubeconfig"
KUBECONFIG="$TEST_TMP/proxied" "$TEST_TMP/bin/feast-sidecar" lock $FILEB $T -- true ||
	fail "the image's daemon could not take the Lease through the proxy"
grep -qx "127.0.0.1:$APISERVER_PORT" "$TEST_TMP/proxy.log" || { cat "$TEST_TMP/proxy.log" >&2; fail "the request did not go through the proxy"; }
[ "$(lease_field generation)" = 1 ] || fail "generation $(lease_field generation)"
# Verification stays on through the tunnel: the wrong CA is refused.
sed "s|certificate-authority: .*|certificate-authority: $APISERVER_DIR/certs/wrong-ca.crt|" "$TEST_TMP/proxied" >"$TEST_TMP/proxied-wrongca"
expect_exit 78 env KUBECONFIG="$TEST_TMP/proxied-wrongca" "$TEST_TMP/bin/feast-sidecar" lock $FILEB $T -- true 2>"$TEST_TMP/err"
grep -q 'could not be verified' "$TEST_TMP/err" || fail "wrong CA through the proxy: $(cat "$TEST_TMP/err")"
remember_pass pkg_image_sidecar "image daemon ($(wc -c <"$image_bin/feast-sidecar.image") bytes, libcurl static): 3 sidecar scripts and the proxy case passed"

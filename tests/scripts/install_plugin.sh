# install_plugin.sh -- `make install` puts kubectl-feast where the real
# kubectl finds it: `kubectl plugin list` lists it, `kubectl feast version` runs.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

command -v kubectl >/dev/null 2>&1 || fail "kubectl is not installed"
prefix="$TEST_TMP/prefix"
make -s -C "$SRC" install PREFIX=/usr DESTDIR="$TEST_TMP/root" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" >/dev/null
[ -x "$TEST_TMP/root/usr/bin/kubectl-feast" ] || fail "DESTDIR install did not place the binary"
make -s -C "$SRC" install PREFIX="$prefix" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" >/dev/null

export PATH="$prefix/bin:$PATH"
export KUBECONFIG="$TEST_TMP/empty-kubeconfig"
kubectl plugin list 2>/dev/null >"$TEST_TMP/plugins" || true
grep -q "$prefix/bin/kubectl-feast" "$TEST_TMP/plugins" || { cat "$TEST_TMP/plugins"; fail "kubectl plugin list does not show kubectl-feast"; }
out=$(kubectl feast version)
version=$(cat "$SRC/VERSION")
[ "$out" = "kubectl-feast $version" ] || fail "kubectl feast version printed '$out'"
kubectl feast version -o json | "$PYTHON" -c 'import json,sys; assert json.load(sys.stdin)["version"]'

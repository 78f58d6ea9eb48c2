# cluster_render_dryrun.sh -- every render of every golden input and operator sample, with
# each --sidecar mode and both targets, is accepted by a real API server's server-side
# apply dry run.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
real_cluster_start feast

# The golden inputs with their own options (the first line: `# args: ...`), the example,
# and the operator's samples and fixtures with the namespaces render_golden.sh gives them.
set --
for f in "$SRC"/testdata/render/*.yaml; do
	set -- "$@" "$f:$(sed -n '1s/^# args: *//p' "$f")"
done
set -- "$@" "$SRC"/examples/*.yaml
REF="$SRC/testdata/operator"
for f in "$REF"/samples/v1_*.yaml; do set -- "$@" "$f:-n $(file_ns "$f" feast)"; done
for f in "$REF"/testdata/*.yaml; do set -- "$@" "$f:-n $(file_ns "$f" test-ns-feast)"; done
inputs=$#

audit_mark
start=$(date +%s)
# A scaling store's pod gets the sidecar with auto and always; that case asks for
# Kubernetes 1.27, which has no native sidecars, so render refuses it, by design.
set +e
"$PYTHON" "$SRC/tests/render_dryrun.py" --feast "$FEAST" --out "$TEST_TMP/dryrun" --jobs 2 \
	--allow-refusal 'needs Kubernetes 1.29 or newer, but --kube-version is' "$@" >report 2>&1
rc=$?
set -e
cat report
echo "render and dry run took $(($(date +%s) - start)) s"
[ "$rc" = 0 ] || fail "the API server refused rendered objects"
has report "^renders: $((inputs * 4)) "
[ "$(grep -c '^refused by render' report)" -le 2 ] || fail "render refused more than the kube-version case"
n=$(sed -n 's/^accepted by the server (dry run): \([0-9]*\) of \1$/\1/p' report)
[ -n "$n" ] && [ "$n" -ge 100 ] || fail "too few objects accepted: ${n:-none}"

# Each object was a server-side apply (a PATCH) and a dry run; only the namespaces were
# created for real.
audit_requests --agent kubectl --writes | grep -v '^create /api/v1/namespaces?' >writes || true
[ "$(grep -c '^patch ' writes)" -ge "$n" ] || fail "the server saw fewer applies than objects"
! grep -v 'dryRun=All' writes >/dev/null || fail "writes that were not dry runs: $(grep -v 'dryRun=All' writes | head -n 5)"

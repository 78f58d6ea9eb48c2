# cluster_apply_requests.sh -- apply against the real API server sends one request per
# object (its server-side apply PATCH, no GET first), on the first apply and on a no-op
# re-apply, plus one LIST for the whole run (the floor the answers are judged against);
# lines come out in input order whatever the concurrency.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/cluster_lib.sh"
cluster_start reqa reqb
for i in 1 2 3 4 5; do
	feature_store "r$i" reqa "$FS_HA"; echo ---
	feature_store "s$i" reqb; echo ---
done >stores.yaml
"$FEAST" render -f stores.yaml 2>/dev/null >rendered.yaml
N=$(grep -c '^kind: ' rendered.yaml)
sed -n 's/^kind: //p' rendered.yaml | tr 'A-Z' 'a-z' >want

# requests_per_object: one line per object path: COUNT VERB PATH (queries left out).
requests_per_object() {
	audit_requests --agent kubectl-feast | awk '{ sub(/\?.*/, "", $2); print $1, $2 }' |
		sort | uniq -c | sort -rn >per-object
}

for round in first again; do
	audit_mark
	expect_run 0 "$FEAST" apply -f stores.yaml --concurrency 8
	requests_per_object
	[ "$(awk '$2 == "patch"' per-object | wc -l)" = "$N" ] || fail "$round: not one PATCH per object: $(cat per-object)"
	awk '$1 != 1' per-object >dup
	[ ! -s dup ] || fail "$round: an object got more than one request: $(cat dup)"
	awk '$2 != "patch"' per-object >other
	[ "$(wc -l <other)" = 1 ] && has other ' list .*/clusterrolebindings$' "$round: the one LIST" ||
		fail "$round: requests besides the PATCHes: $(cat other)"
	sed 's/[./].*//' out >got
	cmp -s got want || fail "$round: lines not in input order: $(paste got want)"
done
lacks out 'created|configured' "the re-apply changed something"

# One at a time gives the same lines.
expect_run 0 "$FEAST" apply -f stores.yaml --concurrency 1
sed 's/[./].*//' out >got
cmp -s got want || fail "--concurrency 1: lines not in input order"
expect_run 2 "$FEAST" apply -f stores.yaml --concurrency 0
has err 'invalid argument "0" for "--concurrency" flag'

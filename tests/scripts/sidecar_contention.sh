# sidecar_contention.sh -- many lock processes on one Lease: every critical section alone.
# Short form here; `make soak` runs 10 processes x 100 acquisitions.
# lock: lease-timing -- compressed lease timings (3 s lease, 1.5 s renew deadline): two such scripts at once on 2 cores can starve a holder past its deadline
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$FEAST_SOURCE_DIR/tests/sidecar_lib.sh"
cd "$TEST_TMP"
make_crit
N=$(soak_or "${SIDECAR_CONTENTION_N:-10}" 100)
export CRIT_SLEEP=0

# Two daemon pods, five static clients each, plus five lock processes
# locking the Lease directly (no daemon): 15 contenders.
start_daemon p1
start_daemon p2
workers=""
for i in 1 2 3 4 5; do
	for p in p1 p2; do
		(for j in $(seq 1 "$N"); do
			"$p/feast-lock" --socket "$p/sock" -w 120 -- "$TEST_TMP/crit.sh" "$p-$i-$j" 2>>errs ||
				echo "exit $? from $p-$i-$j" >>fails
		done) &
		workers="$workers $!"
	done
	(for j in $(seq 1 "$N"); do
		"$SIDECAR" lock $FILEB $T -w 120 -- "$TEST_TMP/crit.sh" "direct-$i-$j" 2>>errs ||
			echo "exit $? from direct-$i-$j" >>fails
	done) &
	workers="$workers $!"
done
for w in $workers; do wait "$w"; done
[ ! -s fails ] || fail "lock failures: $(head -5 fails)"
sections=$(grep -c '^start' crit.log)
[ "$sections" = $((15 * N)) ] || fail "$sections critical sections, want $((15 * N))"
bad=$(overlaps crit.log)
[ "$bad" = 0 ] || fail "$bad overlapping critical sections"
[ "$(lease_field generation)" = $((15 * N)) ] || fail "generation $(lease_field generation), want $((15 * N))"
echo "contention: $sections critical sections by 15 processes, 0 overlaps"
echo ok

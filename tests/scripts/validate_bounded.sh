# validate_bounded.sh -- hostile input costs bounded work: a -R walk through symbolic
# links back up the tree ends and reads every directory and file once (saying which
# links it skipped); aliases may not expand a stream past 16 times its size (at least
# 1 MiB); 100,000 anchors and aliases take well under a second.  Messages byte for byte
# against golden/bounded/; GOLDEN_UPDATE=1 (make golden-update) rewrites them.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"
# An empty golden file stands for "nothing printed", and is kept.
GOLDEN_KEEP_EMPTY=1
cd "$TEST_TMP"

golden_suite bounded
DATA="$SRC/testdata/bounded"

# run_case NAME EXIT ARGS...: kubectl-feast ARGS within 30 s (the old walks and lookups
# took minutes, or forever), with exit EXIT and stderr as golden/bounded/NAME.err.
run_case() {
	name=$1 want=$2
	shift 2
	expect_exit "$want" timeout 30 "$FEAST" "$@" >"$name.out" 2>"$name.err"
	golden_named "$name.err" "$name.err"
}

# ---- directory walks ----
# Two links to the directory itself: the walk used to branch twice at every level.
mkdir -p loop2 && cp "$DATA/store.yaml" loop2/store.yaml
ln -s . loop2/self && ln -s ../loop2 loop2/again
run_case loop-two-links 0 validate -R -f loop2 -n feast
# One link: the store used to be read (and rendered) about 38 times.
mkdir -p loop1/sub && cp "$DATA/store.yaml" loop1/sub/store.yaml && ln -s .. loop1/sub/up
run_case loop-one-link 0 render -R -f loop1 -n feast
"$FEAST" render -f loop1/sub/store.yaml -n feast >once.yaml
"$FEAST" render -R -f loop1 -n feast >walk.yaml 2>/dev/null
same_file once.yaml walk.yaml
# A second name of a file (a hard link, a symbolic link) is read once; a link to a
# directory outside the tree is followed, once.
mkdir -p names/real outside && cp "$DATA/store.yaml" names/real/a.yaml
ln names/real/a.yaml names/real/b.yaml && ln -s real/a.yaml names/c.yaml
ln -s ../../outside names/real/elsewhere && ln -s ../outside names/same
sed 's/walk$/other/' "$DATA/store.yaml" >outside/x.yml
run_case second-names 0 validate -R -f names -n feast
# Without -R a link to a directory is not followed, and nothing is said about it.
run_case loop-flat 0 validate -f loop2 -n feast

# ---- aliases ----
# Few nodes, many bytes: one 64 KiB value aliased 3000 times (170 KB; it rendered 390 MB).
"$PYTHON" "$DATA/gen_aliases.py" bytes 3000 >alias-bytes.yaml
run_case alias-bytes 1 render -f alias-bytes.yaml -n feast
[ -s alias-bytes.out ] && fail "alias-bytes: partial output"
run_case alias-bytes-validate 1 validate -f alias-bytes.yaml -n feast
# 20000 times (775 KB; it rendered 2.6 GB in 1.5 min, and 1.2 MB asked for 5 GB and aborted).
"$PYTHON" "$DATA/gen_aliases.py" bytes 20000 >alias-bytes-big.yaml
run_case alias-bytes-big 1 render -f alias-bytes-big.yaml -n feast
[ -s alias-bytes-big.out ] && fail "alias-bytes-big: partial output"
# Just under the budget is fine: 14 copies of the value.
"$PYTHON" "$DATA/gen_aliases.py" bytes 14 >alias-fits.yaml
run_case alias-fits 0 validate -f alias-fits.yaml -n feast
# 100,000 anchors, each aliased once: the linear lookup took 53 s.
"$PYTHON" "$DATA/gen_aliases.py" anchors 100000 >anchors.yaml
start=$(date +%s)
run_case anchors 0 validate -f anchors.yaml -f "$DATA/store.yaml" -n feast
[ $(($(date +%s) - start)) -lt 10 ] || fail "100,000 anchors took $(($(date +%s) - start)) s"

golden_end
echo "bounded: walks end, aliases capped, anchors fast"

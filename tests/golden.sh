# golden.sh -- the one golden-file runner of tests/scripts/*.sh (sourced after lib.sh).
#
# A suite is a folder of expected files, golden/SUITE/, and the cases that produce them.
# A case runs `kubectl-feast CMD -f INPUT ARGS...` and pins its stdout (golden NAME.out,
# NAME.json for `-o json`, or the suite's own extension), its stderr (NAME.err) and, when
# the command edits its input, the edited file (NAME.<the input's extension>).  An absent
# golden file stands for empty output.  Case files carry their settings in `# key: value`
# lines at the top (cmd, args, exit, input; golden/README.md has the format).  Every file
# under golden/SUITE/ must belong to a case: one that does not is reported as stale.
# With GOLDEN_UPDATE=1 (make golden-update) the golden files are rewritten instead of
# compared, and the runner prints each file it writes or removes.
#
# Scripts may define golden_check, called after each case whose exit status was right,
# with GOLDEN_NAME, GOLDEN_EXIT, GOLDEN_STDOUT, GOLDEN_STDERR, GOLDEN_INPUT (the case's
# input) and GOLDEN_EDITED (the edited copy, or empty); it prints why and returns
# non-zero to fail the case.

# golden_file GOLDEN ACTUAL: compare ACTUAL with GOLDEN (absent = empty) and print a diff
# when they differ; with GOLDEN_UPDATE=1 rewrite GOLDEN instead (remove it when ACTUAL is
# empty and GOLDEN_KEEP_EMPTY is unset).
golden_file() {
	_gf_rel=${1#"$SRC"/}
	if [ -n "${GOLDEN_UPDATE:-}" ]; then
		if [ ! -s "$2" ] && [ -z "${GOLDEN_KEEP_EMPTY:-}" ]; then
			[ ! -e "$1" ] || { rm -f "$1"; echo "removed $_gf_rel"; }
		elif ! cmp -s "$2" "$1" 2>/dev/null; then
			mkdir -p "$(dirname "$1")"
			cp "$2" "$1"
			echo "updated $_gf_rel"
		fi
		return 0
	fi
	if [ -f "$1" ]; then
		cmp -s "$1" "$2" && return 0
		diff -u "$1" "$2" | head -n 60 >&2 || true
	else
		[ -s "$2" ] || return 0
		head -n 20 "$2" >&2
	fi
	echo "FAIL: $_gf_rel differs (make golden-update rewrites it)" >&2
	return 1
}

# golden_suite SUITE [--cmd CMD] [--exit N] [--out EXT] [--copy]: start a suite whose
# golden files are golden/SUITE/.  --cmd and --exit are what a case that names none
# runs and expects (default exit 0); --out is the extension of stdout goldens (default
# out); --copy runs every case on a copy of its input in a scratch directory, named by
# its base name (otherwise an input in the source tree runs from the source tree, named
# by its path there, as a user would type it).
golden_suite() {
	GOLDEN_SUITE=$1 GOLDEN_DIR=$SRC/golden/$1
	shift
	_gs_cmd="" _gs_exit=0 _gs_out=out _gs_copy=""
	while [ $# -gt 0 ]; do
		case $1 in
		--cmd) _gs_cmd=$2; shift ;;
		--exit) _gs_exit=$2; shift ;;
		--out) _gs_out=$2; shift ;;
		--copy) _gs_copy=1 ;;
		*) fail "golden_suite: unknown option $1" ;;
		esac
		shift
	done
	_gs_work=$TEST_TMP/golden/$(echo "$GOLDEN_SUITE" | tr / _)
	rm -rf "$_gs_work"
	mkdir -p "$_gs_work/run"
	: >"$_gs_work/known"
	GOLDEN_CASES=0 GOLDEN_FAILED=0
}

# golden_header FILE KEY: the value of `# KEY: value` among FILE's header lines (its first
# lines, up to the first line that is no header).
golden_header() {
	awk -v key="$2" '
		!/^# (cmd|args|exit|input):/ { exit }
		substr($0, 3, length(key) + 1) == key ":" { v = substr($0, length(key) + 4); sub(/^ +/, "", v); print v; exit }
	' "$1"
}

# golden_case_file FILE: the case FILE describes.  Its name is FILE's base name without
# extension; its input is FILE itself or, with `# input: OTHER`, OTHER beside it.
golden_case_file() {
	_gc_name=$(basename "$1")
	_gc_name=${_gc_name%.*}
	_gc_cmd=$(golden_header "$1" cmd)
	_gc_exit=$(golden_header "$1" exit)
	_gc_input=$(golden_header "$1" input)
	_gc_args=$(golden_header "$1" args)
	# A misspelt header would end the headers silently and drop its setting.
	_gc_odd=$(awk '!/^# (cmd|args|exit|input):/ { if ($0 ~ /^# [a-z]+: /) print; exit }' "$1")
	[ -z "$_gc_odd" ] || fail "$1: '$_gc_odd' is no header (cmd, args, exit, input)"
	[ -n "$_gc_input" ] && _gc_input=$(dirname "$1")/$_gc_input || _gc_input=$1
	set -f
	# shellcheck disable=SC2086 # the args header is split on blanks, never globbed
	set -- $_gc_args
	set +f
	golden_run "$_gc_name" "${_gc_exit:-$_gs_exit}" "${_gc_cmd:-$_gs_cmd}" "$_gc_input" "$@"
}

# golden_cases FILE...: golden_case_file for each FILE.
golden_cases() {
	for _gc_file in "$@"; do
		golden_case_file "$_gc_file"
	done
}

# golden_run NAME EXIT CMD INPUT [ARGS...]: one case: `kubectl-feast CMD -f INPUT ARGS`
# must exit EXIT, with stdout, stderr and any edit of INPUT as golden/SUITE/NAME.* hold.
golden_run() {
	GOLDEN_NAME=$1 _gr_want=$2 _gr_cmd=$3 GOLDEN_INPUT=$4
	shift 4
	[ -n "$_gr_cmd" ] || fail "golden/$GOLDEN_SUITE/$GOLDEN_NAME: no command (# cmd: or golden_suite --cmd)"
	GOLDEN_CASES=$((GOLDEN_CASES + 1))
	_gr_out=$_gs_out
	case " $* " in *" -o json "* | *" -ojson "* | *" -o=json "* | *" --output json "* | *" --output=json "*) _gr_out=json ;; esac
	_gr_base=$(basename "$GOLDEN_INPUT")
	_gr_ext=${_gr_base##*.}
	_gr_run=$_gs_work/run/$GOLDEN_CASES
	mkdir -p "$_gr_run/dir"
	GOLDEN_STDOUT=$_gr_run/stdout GOLDEN_STDERR=$_gr_run/stderr GOLDEN_EDITED=""
	_gr_rel=${GOLDEN_INPUT#"$SRC"/}
	if [ -z "$_gs_copy" ] && [ "$_gr_rel" != "$GOLDEN_INPUT" ]; then
		_gr_cwd=$SRC _gr_arg=$_gr_rel _gr_copy=""
	else
		_gr_cwd=$_gr_run/dir _gr_arg=$_gr_base _gr_copy=$_gr_run/dir/$_gr_base
		cp "$GOLDEN_INPUT" "$_gr_copy"
		_gr_stamp=$(golden_stamp "$_gr_copy")
		[ "$_gr_ext" != "$_gr_out" ] || fail "golden/$GOLDEN_SUITE: stdout and edited-file goldens would share .$_gr_ext"
		echo "$GOLDEN_NAME.$_gr_ext" >>"$_gs_work/known"
	fi
	printf '%s\n' "$GOLDEN_NAME.$_gr_out" "$GOLDEN_NAME.err" >>"$_gs_work/known"
	set +e
	(cd "$_gr_cwd" && exec "$FEAST" "$_gr_cmd" -f "$_gr_arg" "$@") >"$GOLDEN_STDOUT" 2>"$GOLDEN_STDERR"
	GOLDEN_EXIT=$?
	set -e
	if [ "$GOLDEN_EXIT" != "$_gr_want" ]; then
		head -n 20 "$GOLDEN_STDERR" >&2
		golden_fail "$_gr_cmd -f $_gr_arg $*: exit $GOLDEN_EXIT, expected $_gr_want"
		return 0
	fi
	_gr_ok=1
	golden_file "$GOLDEN_DIR/$GOLDEN_NAME.$_gr_out" "$GOLDEN_STDOUT" || _gr_ok=""
	golden_file "$GOLDEN_DIR/$GOLDEN_NAME.err" "$GOLDEN_STDERR" || _gr_ok=""
	[ -z "$_gr_copy" ] || golden_edits || _gr_ok=""
	if command -v golden_check >/dev/null 2>&1; then
		golden_check || _gr_ok=""
	fi
	[ -n "$_gr_ok" ] || golden_fail "$_gr_cmd -f $_gr_arg $*: output differs"
}

# golden_named NAME ACTUAL: ACTUAL against golden/SUITE/NAME, for a script that runs its
# own commands; NAME is then the suite's (not stale), and a difference fails golden_end.
golden_named() {
	echo "$1" >>"$_gs_work/known"
	GOLDEN_CASES=$((GOLDEN_CASES + 1))
	golden_file "$GOLDEN_DIR/$1" "$2" || { GOLDEN_NAME=$1 && golden_fail "differs"; }
}

# golden_skipped NAME: golden/SUITE/NAME belongs to a case this run leaves out.
golden_skipped() {
	echo "$1" >>"$_gs_work/known"
}

# golden_edits: the copied input of the current case: untouched (same bytes, same inode
# and mtime) and no golden edit, or edited by a run that exited 0 as the golden edit
# holds; nothing else left in its directory (a temporary file, say).
golden_edits() {
	_ge_golden=$GOLDEN_DIR/$GOLDEN_NAME.$_gr_ext
	if cmp -s "$GOLDEN_INPUT" "$_gr_copy"; then
		[ "$(golden_stamp "$_gr_copy")" = "$_gr_stamp" ] ||
			{ echo "FAIL: $GOLDEN_NAME: $_gr_base was rewritten with the same bytes" >&2; return 1; }
		golden_file "$_ge_golden" /dev/null || return 1
	else
		[ "$GOLDEN_EXIT" = 0 ] ||
			{ echo "FAIL: $GOLDEN_NAME: a run that exits $GOLDEN_EXIT changed $_gr_base" >&2; return 1; }
		GOLDEN_EDITED=$_gr_copy
		golden_file "$_ge_golden" "$_gr_copy" || return 1
	fi
	[ "$(ls -A "$_gr_run/dir")" = "$_gr_base" ] ||
		{ echo "FAIL: $GOLDEN_NAME: left behind: $(ls -A "$_gr_run/dir" | tr '\n' ' ')" >&2; return 1; }
}

# golden_stamp FILE: what changes when a file is rewritten (inode, size, mtime in ns).
golden_stamp() {
	stat -c '%i %s %Y %y' "$1"
}

# golden_fail MESSAGE: count a failed case of the suite.
golden_fail() {
	echo "FAIL: golden/$GOLDEN_SUITE/$GOLDEN_NAME: $1" >&2
	GOLDEN_FAILED=$((GOLDEN_FAILED + 1))
}

# golden_end: report stale golden files (under golden/SUITE/ but no case's), fail if any
# case failed, else print the count.
golden_end() {
	[ -d "$GOLDEN_DIR" ] || mkdir -p "$GOLDEN_DIR"
	(cd "$GOLDEN_DIR" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$_gs_work/present"
	LC_ALL=C sort -u "$_gs_work/known" >"$_gs_work/known.sorted"
	LC_ALL=C comm -23 "$_gs_work/present" "$_gs_work/known.sorted" >"$_gs_work/stale"
	while read -r _ge_stale; do
		echo "FAIL: golden/$GOLDEN_SUITE/$_ge_stale is stale: no case produces it (delete it, or restore its case)" >&2
		GOLDEN_FAILED=$((GOLDEN_FAILED + 1))
	done <"$_gs_work/stale"
	[ "$GOLDEN_FAILED" = 0 ] || fail "golden/$GOLDEN_SUITE: $GOLDEN_FAILED failure(s) in $GOLDEN_CASES cases"
	echo "golden/$GOLDEN_SUITE: $GOLDEN_CASES cases"
}

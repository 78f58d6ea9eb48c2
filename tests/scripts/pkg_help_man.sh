# pkg_help_man.sh -- `--help` and the man pages list every option of every command.
#
# Three views of the option tables are compared: the tables as written in the
# source (every group a command's table list names), each command's --help, and
# the man page from `make man` (rendered by man(1), which must not warn).  For
# kubectl-feast the completion protocol's flag list is a fourth view.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" DIST="$TEST_TMP/dist" man >/dev/null
page="$TEST_TMP/dist/man/kubectl-feast.1"
[ -s "$page" ] || fail "make man did not write $page"

# The tables in the source: program -> command -> [(long, short, hidden)].
"$PYTHON" - "$SRC" "$FEAST_BUILD_DIR" >"$TEST_TMP/tables" <<'PY' || fail "could not read the option tables"
# Read through the preprocessor, so tables built from macros count as written.
import glob, os, re, subprocess, sys
src, build = sys.argv[1:]
inc = ["-I" + os.path.join(src, d) for d in ("lib", "kube", "rules", "render", "cluster", "plugin", "sidecar",
                                              "sidecar/daemon")]
files = {}
# feast-sidecar is sidecar/*.c and sidecar/daemon/*.c (feast-lock's own sidecar/static/ is not read).
for f in sorted(glob.glob(os.path.join(src, "*", "*.c")) + glob.glob(os.path.join(src, "sidecar", "daemon", "*.c"))):
    if os.path.relpath(f, src).split(os.sep)[0] not in ("lib", "kube", "render", "plugin", "sidecar"):
        continue
    files[f] = subprocess.run(["cc", "-E", "-P", "-std=c11", "-D_GNU_SOURCE", "-DFEAST_VERSION=\"0\"",
                               "-DFEAST_REVISION=\"0\""] + inc + ["-I" + os.path.join(build, "gen"), f],
                              check=True, capture_output=True, text=True).stdout
# Every `struct opt NAME[] = { rows }` table, wherever it is defined.
row_re = re.compile(r'\{\s*"([a-z0-9-]+)",\s*(\'.\'|0),\s*OPT_(?:BOOL|VALUE|OPTIONAL),(.*?)\}\s*,?\s*(?=\{\s*"|\{\s*\(\(void|\{\s*0\s*,|$)', re.S)
tables = {}
for text in files.values():
    for m in re.finditer(r"struct opt (\w+)\[\] = \{(.*?)\};", text, re.S):
        rows = []
        for r in row_re.finditer(m.group(2)):
            flags = eval(r.group(3).rsplit(",", 1)[1].strip() or "0")
            rows.append((r.group(1), r.group(2).strip("'") if r.group(2) != "0" else "", bool(flags & 2)))
        tables[m.group(1)] = rows
# Each command: `const struct command cmd_x = { "name", ..., groups, run }` (lib/command.h,
# in plugin/ and sidecar/); its groups are the `struct opt *const NAME[] = {...}` it names,
# in the same file or, for lock (sidecar/lock_local.h), in another file of the program.
progs = {"plugin": "kubectl-feast", "sidecar": "feast-sidecar"}
prog_of = {path: progs.get(os.path.relpath(path, src).split(os.sep)[0]) for path in files}
group_lists = {}
for path, text in files.items():
    for m in re.finditer(r"struct opt \*const (\w+)\[\] = \{([^}]*)\}", text):
        group_lists.setdefault(prog_of[path], {}).setdefault(m.group(1), {})[path] = re.findall(r"\w+", m.group(2))
out = []
for path, text in files.items():
    prog = prog_of[path]
    if not prog:
        continue
    # A list of this file wins over a same-named one elsewhere in the program (static lists).
    lists = {name: by_file.get(path, next(iter(by_file.values())))
             for name, by_file in group_lists.get(prog, {}).items()}
    for m in re.finditer(r"const struct command \w+ = \{\s*\"([a-z_-]+)\"(.*?)\};", text, re.S):
        used = [w for w in re.findall(r"\b(\w+)\b", m.group(2)) if w in lists]
        if not used:
            continue
        for group in lists[used[-1]]:
            if group in ("void", "0"):
                continue
            if group not in tables:
                sys.exit("table %s (used by %s) not found" % (group, m.group(1)))
            for name, short, hidden in tables[group]:
                out.append("%s %s %s %s %s" % (prog, m.group(1), name, short or "-", "hidden" if hidden else "shown"))
if not out:
    sys.exit("no command tables found")
print("\n".join(out))
PY
grep -q '^kubectl-feast render filename f shown$' "$TEST_TMP/tables" || { cat "$TEST_TMP/tables"; fail "the table reader missed render -f"; }
grep -q '^feast-sidecar lock kubeconfig - shown$' "$TEST_TMP/tables" ||
	{ cat "$TEST_TMP/tables"; fail "the table reader missed lock's groups (sidecar/daemon/lock_direct.c)"; }

# man(1) renders without warnings; the rendered text is what the checks read.
man_text() {
	MANWIDTH=200 MANPAGER=cat man --warnings=w -l "$1" 2>"$2.warn" >"$2"
	[ ! -s "$2.warn" ] || { cat "$2.warn" >&2; fail "man -l $1 warns"; }
}
man_text "$page" "$TEST_TMP/kubectl-feast.txt"

checked=0
check_program() {
	prog=$1 bin=$2 txt=$3
	for cmd in $(awk -v p="$prog" '$1 == p { print $2 }' "$TEST_TMP/tables" | sort -u); do
		"$bin" $cmd --help >"$TEST_TMP/help.$prog.$cmd" || fail "$prog $cmd --help failed"
		grep -q '^Usage:' "$TEST_TMP/help.$prog.$cmd" || fail "$prog $cmd --help has no Usage"
		grep -q "^   $cmd\$" "$txt" || fail "man page of $prog has no section for $cmd"
		awk -v p="$prog" -v c="$cmd" '$1 == p && $2 == c' "$TEST_TMP/tables" >"$TEST_TMP/rows"
		while read -r _ _ name short vis; do
			checked=$((checked + 1))
			if [ "$vis" = hidden ]; then
				! grep -q -- "--$name\b" "$TEST_TMP/help.$prog.$cmd" || fail "$prog $cmd --help shows hidden --$name"
				continue
			fi
			grep -q -- "--$name\b" "$TEST_TMP/help.$prog.$cmd" || fail "$prog $cmd --help lacks --$name"
			grep -q -- "--$name\b" "$txt" || fail "man page of $prog lacks --$name ($cmd)"
			if [ "$short" != - ]; then
				grep -q -- "-$short, --$name\b" "$TEST_TMP/help.$prog.$cmd" || fail "$prog $cmd --help lacks -$short"
				grep -q -- "-$short, --$name\b" "$txt" || fail "man page of $prog lacks -$short, --$name"
			fi
		done <"$TEST_TMP/rows"
	done
}
check_program kubectl-feast "$FEAST" "$TEST_TMP/kubectl-feast.txt"

# The completion protocol offers exactly the shown long flags of each command.
for cmd in $(awk '$1 == "kubectl-feast" { print $2 }' "$TEST_TMP/tables" | sort -u); do
	"$FEAST" __complete $cmd -- | cut -f1 | grep '^--' | sort >"$TEST_TMP/comp.$cmd"
	awk -v c="$cmd" '$1 == "kubectl-feast" && $2 == c && $5 == "shown" { print "--" $3 }' "$TEST_TMP/tables" |
		sort -u >"$TEST_TMP/want.$cmd"
	same_file "$TEST_TMP/want.$cmd" "$TEST_TMP/comp.$cmd"
done

# Every command of the main help is in the tables, the man page and the completion list.
"$FEAST" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }' | sort >"$TEST_TMP/cmds.help"
awk '$1 == "kubectl-feast" { print $2 }' "$TEST_TMP/tables" | sort -u >"$TEST_TMP/cmds.tables"
same_file "$TEST_TMP/cmds.tables" "$TEST_TMP/cmds.help"
"$FEAST" __complete "" | cut -f1 | grep -v '^:' | grep -vx help | sort >"$TEST_TMP/cmds.comp"
same_file "$TEST_TMP/cmds.help" "$TEST_TMP/cmds.comp"
grep -q "^SYNOPSIS" "$TEST_TMP/kubectl-feast.txt" && grep -q "^EXIT STATUS" "$TEST_TMP/kubectl-feast.txt" ||
	fail "man page sections missing"

# feast-sidecar: its own tables, --help and man page.
if [ -x "$FEAST_BIN_DIR/feast-sidecar" ]; then
	spage="$TEST_TMP/dist/man/feast-sidecar.1"
	[ -s "$spage" ] || fail "make man did not write $spage"
	man_text "$spage" "$TEST_TMP/feast-sidecar.txt"
	grep -q '^feast-sidecar ' "$TEST_TMP/tables" || fail "no feast-sidecar tables found in sidecar/"
	check_program feast-sidecar "$FEAST_BIN_DIR/feast-sidecar" "$TEST_TMP/feast-sidecar.txt"
fi
echo "$checked options checked in --help and the man pages"

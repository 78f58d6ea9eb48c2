# pkg_completion.sh -- shell completion from the tables: the __complete protocol as kubectl
# 1.26+ calls kubectl_complete-feast, the real kubectl relaying it, and the bash and zsh
# scripts of `kubectl feast completion`.
. "$FEAST_SOURCE_DIR/tests/lib.sh"

# kubectl_complete-feast as shipped, with kubectl-feast found on PATH.
mkdir -p "$TEST_TMP/path"
cp "$SRC/packaging/kubectl_complete-feast" "$TEST_TMP/path/"
export PATH="$TEST_TMP/path:$FEAST_BIN_DIR:$PATH"
export KUBECONFIG="$TEST_TMP/empty-kubeconfig"

# expect WANT ARGS... : the candidates (descriptions cut) and the directive, one per line,
# joined by spaces, must be WANT.
cases=0
expect() {
	want=$1
	shift
	cases=$((cases + 1))
	kubectl_complete-feast "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "kubectl_complete-feast $* exited non-zero"
	got=$(cut -f1 "$TEST_TMP/out" | tr '\n' ' ')
	[ "$got" = "$want " ] || fail "completing [$*]: got '$got', want '$want'"
	tail -n 1 "$TEST_TMP/out" | grep -q '^:[0-9][0-9]*$' || fail "completing [$*]: no directive last"
}
# The commands, as the main help lists them, then `help`.
cmds=$("$FEAST" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { printf "%s ", $1 } on && /^$/ { exit }')
[ -n "$cmds" ] || fail "no commands in kubectl feast --help"
expect "${cmds}help :4" ""
expect "render :4" ren
expect "--help -h --version :4" -
expect "yaml json :4" render -o ""
expect "yaml json :4" render --output ""
expect "json :4" render --output=j
expect "yaml :4" render -o=y
expect "true false :4" render --recursive=
expect "yaml yml json :8" render -f ""
expect "yaml yml json :8" render -R --filename ""
expect "json yaml :4" version -o ""
expect "json :4" validate -o ""
expect "bash zsh :4" completion ""
expect ":4" completion bash ""
expect "render :4" help re
expect ":4" nosuch ""
expect ":4" render -- -
expect ":4" render -f x.yaml ""
# Flags: a flag already given is not offered again, unless it may repeat (-f).
flags=$("$FEAST" render --help | sed -n 's/^ *\(-., \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p' | grep -vx -- --output | tr '\n' ' ')
expect "${flags}:4" render -f a.yaml -o json --
case " $flags" in *" --filename "*" --help "*) ;; *) fail "render --help lists no --filename/--help: $flags" ;; esac
expect "--namespace :4" render --na
expect "-n :4" render -n
kubectl_complete-feast render --im | grep -q "^--image	Feature-server image" || fail "flag candidates lack their help text"

# Every choices list in the tables (as the man page prints them) completes as a flag value.
make -s -C "$SRC" BIN="$FEAST_BIN_DIR" O="$FEAST_BUILD_DIR" DIST="$TEST_TMP/dist" man >/dev/null
MANWIDTH=400 MANPAGER=cat man -l "$TEST_TMP/dist/man/kubectl-feast.1" 2>/dev/null >"$TEST_TMP/man.txt"
"$PYTHON" - "$TEST_TMP/man.txt" >"$TEST_TMP/choices" <<'PY'
import re, sys
cmd, last = None, None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if re.match(r"^   [a-z]", line):
        cmd = line.strip()
    elif line.startswith("COMMON OPTIONS"):
        cmd = None
    m = re.match(r"^       (?:-\w, )?--([a-z0-9-]+)(\[?)(?:=([^\s\]]+))?", line)
    if m and cmd:
        last = (m.group(1), "optional" if m.group(2) else "value", m.group(3))
        continue
    if last and cmd and line.startswith("              "):
        name, kind, arg = last
        one_of = re.search(r"One of: (.*?)\.(?: |$)", line)
        if one_of:
            print(cmd, name, kind, " ".join(one_of.group(1).split(", ")))
        elif arg and arg == arg.lower():
            print(cmd, name, kind, " ".join(arg.split("|")))
    last = None
PY
[ "$(wc -l <"$TEST_TMP/choices")" -ge 4 ] || { cat "$TEST_TMP/choices"; fail "too few choices lists found in the man page"; }
# --flag=VALUE for every flag; --flag VALUE only where the value may be the next word.
while read -r cmd flag kind values; do
	expect "$values :4" "$cmd" "--$flag="
	[ "$kind" = optional ] || expect "$values :4" "$cmd" "--$flag" ""
done <"$TEST_TMP/choices"

# The real kubectl relays plugin completion to kubectl_complete-feast.
command -v kubectl >/dev/null 2>&1 || fail "kubectl is not installed"
kubectl __complete feast render -o "" 2>/dev/null >"$TEST_TMP/kubectl.out"
[ "$(tr '\n' ' ' <"$TEST_TMP/kubectl.out")" = "yaml json :4 " ] ||
	{ cat "$TEST_TMP/kubectl.out"; fail "kubectl __complete feast render -o did not relay the plugin's values"; }
kubectl __complete feast "" 2>/dev/null | cut -f1 | grep -qx render || fail "kubectl does not complete the plugin's commands"
kubectl __complete feast render -f "" 2>/dev/null | tail -n 1 | grep -qx ':8' || fail "kubectl lost the file-extension directive"

# Bash: the script completes kubectl-feast run directly (compopt exists only inside a real
# completion, so it is recorded instead).
"$FEAST" completion bash >"$TEST_TMP/comp.bash"
mkdir -p "$TEST_TMP/files/sub"
touch "$TEST_TMP/files/a.yaml" "$TEST_TMP/files/b.txt" "$TEST_TMP/files/c.yml"
cat >"$TEST_TMP/bash-driver" <<'SH'
source "$1"
shift
compopt() { echo "compopt $*" >>"$OPTS"; }
COMP_LINE=$1
COMP_POINT=${#COMP_LINE}
_kubectl_feast
printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' '
SH
bash_expect() {
	want=$1 line=$2
	cases=$((cases + 1))
	got=$(cd "$TEST_TMP/files" && OPTS="$TEST_TMP/opts" bash "$TEST_TMP/bash-driver" "$TEST_TMP/comp.bash" "$line")
	[ "$got" = "$want" ] || fail "bash completing '$line': got '$got', want '$want'"
}
bash_expect "render " "kubectl-feast ren"
bash_expect "json yaml " "kubectl-feast render -o "
bash_expect "json " "kubectl-feast render --output=j"
bash_expect "a.yaml c.yml sub " "kubectl-feast render -f "
bash_expect "--recursive " "kubectl-feast render --rec"
bash_expect "bash zsh " "kubectl-feast completion "
bash -n "$TEST_TMP/comp.bash" || fail "the bash script does not parse"

# Zsh: the same with zsh's completion functions recorded.
command -v zsh >/dev/null 2>&1 || fail "zsh is not installed (scripts/deps.sh installs it)"
"$FEAST" completion zsh >"$TEST_TMP/comp.zsh"
zsh -n "$TEST_TMP/comp.zsh" || fail "the zsh script does not parse"
cat >"$TEST_TMP/zsh-driver" <<'SH'
compdef() { print -r -- "compdef $*"; }
compset() { print -r -- "compset $*"; }
_files() { print -r -- "_files $*"; }
_describe() { print -r -- "_describe ${(P)4}"; }
source "$1"
shift
words=("$@")
CURRENT=$#words
_kubectl-feast
SH
zsh_expect() {
	want=$1
	shift
	cases=$((cases + 1))
	got=$(zsh -f "$TEST_TMP/zsh-driver" "$TEST_TMP/comp.zsh" "$@" | tr '\n' ' ')
	[ "$got" = "$want" ] || fail "zsh completing [$*]: got '$got', want '$want'"
}
zsh_expect "compdef _kubectl-feast kubectl-feast _describe render:Render FeatureStore specs into the Kubernetes objects that run them. " kubectl-feast ren
zsh_expect "compdef _kubectl-feast kubectl-feast _describe yaml json " kubectl-feast render -o ""
zsh_expect "compdef _kubectl-feast kubectl-feast compset -P *= _describe json " kubectl-feast render --output=j
zsh_expect "compdef _kubectl-feast kubectl-feast _files -g *.(yaml|yml|json) " kubectl-feast render -f ""
echo "$cases completion cases passed"

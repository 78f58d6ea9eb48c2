# render_shell_quoting.sh -- values render pastes into the shell scripts it writes (feast-init,
# feast-config) stay single words: each case of testdata/shell/ puts hostile text (; # ' $()
# backquotes && | > *) into every such field; its scripts run under bash with stub python3,
# feast and git, rooted in a scratch directory; no `touch pwned*` may run, and the argv each
# stub got must equal golden/shell/CASE.argv.  GOLDEN_UPDATE=1 rewrites the golden files.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
. "$SRC/tests/golden.sh"
cd "$TEST_TMP"
GOLDEN="$SRC/golden/shell"

mkdir -p stubs
for tool in python3 feast git; do
	cat >"stubs/$tool" <<'STUB'
#!/bin/bash
# Record argv, one word per line; make what the real tool would have made.
{ printf '%s' "$(basename "$0")"; printf ' <%s>' "$@"; echo; } >>"$STUB_LOG"
case "$(basename "$0") $1" in
"feast init") mkdir -p -- "${@: -1}/feature_repo" ;;
"git clone") mkdir -p -- "${@: -1}/$STUB_REPO_PATH" ;;
"python3 -") cat >/dev/null ;;
esac
STUB
	chmod +x "stubs/$tool"
done

# The init containers that run bash -c SCRIPT: name, workingDir and the script, with the
# pod's absolute paths moved under $ROOT.
extract() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, os, sys
root = sys.argv[2]
for item in json.load(open(sys.argv[1]))["items"]:
    if item["kind"] != "Deployment":
        continue
    for c in item["spec"]["template"]["spec"].get("initContainers", []):
        if c.get("command") != ["bash", "-c"]:
            continue
        script = c["args"][0]
        for p in ("/feast-data/", "/feast-config/", "/var/run/feast/", "/hostile/"):
            script = script.replace(p, root + p)
        d = os.path.join(root, c["name"])
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "script"), "w").write(script)
        open(os.path.join(d, "workdir"), "w").write(root + c.get("workingDir", "/feast-config"))
        print(c["name"])
PY
}

failures=0
for f in "$SRC"/testdata/shell/*.yaml; do
	name=$(basename "$f" .yaml)
	ROOT=$TEST_TMP/root-$name
	mkdir -p "$ROOT/feast-config"
	"$FEAST" render -n feast -o json -f "$f" >"$name.json" 2>"$name.err" || { cat "$name.err" >&2; fail "render $name"; }
	repo_path=$("$PYTHON" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["spec"].get("feastProjectDir", {}).get("git", {}).get("featureRepoPath", ""))' "$f")
	: >"$name.argv"
	for c in $(extract "$name.json" "$ROOT"); do
		wd=$(cat "$ROOT/$c/workdir")
		mkdir -p "$wd"
		echo "# $c" >>"$name.argv"
		(cd "$wd" && PATH="$TEST_TMP/stubs:$PATH" STUB_LOG="$TEST_TMP/$name.argv" STUB_REPO_PATH="$repo_path" \
			TMP_FEATURE_STORE_YAML_BASE64=$(printf 'project: x\n' | base64) bash -c "$(cat "$ROOT/$c/script")") \
			>"$name.$c.out" 2>&1 || { cat "$name.$c.out" >&2; fail "$name: $c's script failed"; }
	done
	pwned=$(find "$TEST_TMP" "$ROOT" -name 'pwned*' | head -n 3)
	[ -z "$pwned" ] || fail "$name: a hostile value ran a command: $pwned"
	sed "s|$ROOT||g" "$name.argv" >"$name.argv.rel"
	golden_file "$GOLDEN/$name.argv" "$name.argv.rel" || failures=$((failures + 1))
done
[ "$failures" = 0 ] || fail "$failures cases differ"
echo "hostile values stayed single words"

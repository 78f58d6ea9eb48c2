# render_roundtrip.sh -- every golden YAML file, read back by PyYAML's pure-Python and
# libyaml (C) loaders, gives exactly the values and types of the render's own tree
# (its `-o json`), so no string turns into a bool, null or number on the way.
. "$FEAST_SOURCE_DIR/tests/lib.sh"
cd "$TEST_TMP"
REF="$SRC/testdata/operator"
G="$SRC/golden/render"
: >pairs
for f in "$REF"/samples/v1_*.yaml; do
	b=$(basename "$f")
	"$FEAST" render -f "$f" -n "$(file_ns "$f" feast)" -o json >"s-$b.json" 2>/dev/null
	echo "$G/samples/$b s-$b.json" >>pairs
done
for f in "$REF"/testdata/*.yaml; do
	b=$(basename "$f")
	"$FEAST" render -f "$f" -n test-ns-feast -o json >"t-$b.json" 2>/dev/null
	echo "$G/operator-testdata/$b t-$b.json" >>pairs
done
for f in "$SRC"/testdata/render/*.yaml; do
	b=$(basename "$f" .yaml)
	args=$(sed -n '1s/^# args: *//p' "$f")
	case " $args " in *" -o json "*) continue ;; esac
	# shellcheck disable=SC2086
	"$FEAST" render -f "$f" $args -o json >"c-$b.json" 2>/dev/null
	echo "$G/$b.yaml c-$b.json" >>pairs
done
"$PYTHON" - pairs <<'PY'
import json, sys, yaml

assert yaml.__with_libyaml__, "PyYAML without libyaml: cannot check the C reader"

def same(a, b, path):
    if type(a) is not type(b):
        raise SystemExit("%s: %r (%s) read back as %r (%s)" % (path, b, type(b).__name__, a, type(a).__name__))
    if isinstance(a, dict):
        if list(a) != list(b):
            raise SystemExit("%s: keys %s vs %s" % (path, list(a), list(b)))
        for k in a:
            same(a[k], b[k], path + "." + k)
    elif isinstance(a, list):
        if len(a) != len(b):
            raise SystemExit("%s: %d items vs %d" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, "%s[%d]" % (path, i))
    elif a != b:
        raise SystemExit("%s: %r vs %r" % (path, a, b))

n = 0
for line in open(sys.argv[1]):
    golden, js = line.split()
    tree = json.load(open(js))["items"]
    text = open(golden).read()
    for loader in (yaml.SafeLoader, yaml.CSafeLoader):
        docs = list(yaml.load_all(text, Loader=loader))
        same(docs, tree, "%s(%s)" % (golden, loader.__name__))
    n += 1
assert n >= 50, n
print("%d golden files read back identically" % n)
PY

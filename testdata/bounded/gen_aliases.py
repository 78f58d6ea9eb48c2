"""gen_aliases.py KIND N -- large alias inputs for tests/scripts/validate_bounded.sh.

bytes N:   a FeatureStore whose one 64 KiB env value is aliased N times (few nodes,
           many bytes: 3000 makes 170 KB that used to render 390 MB).
anchors N: N anchors, then N aliases to them, oldest first (a linear lookup is
           quadratic here: 100,000 took 53 s).
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout
if kind == "bytes":
    out.write("apiVersion: feast.dev/v1\nkind: FeatureStore\nmetadata:\n  name: bomb\nspec:\n"
              "  feastProject: bomb\n  services:\n    onlineStore:\n      server:\n        env:\n"
              "        - name: BIG\n          value: &v " + "a" * 65536 + "\n")
    out.write("".join("        - {name: E%d, value: *v}\n" % i for i in range(n)))
elif kind == "anchors":
    out.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: anchors\ndata:\n")
    out.write("".join("  a%d: &a%d x\n" % (i, i) for i in range(n)))
    out.write("  all: [" + ",".join("*a%d" % i for i in range(n)) + "]\n")
else:
    sys.exit("gen_aliases.py: unknown kind " + kind)

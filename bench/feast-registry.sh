#!/bin/sh
# feast-registry.sh -- the lost-update benchmark of Feast's file registry: concurrent `feast apply` and `feast materialize`, without and with feast-sidecar's lock, and the SQL registry.
#
#   bench/feast-registry.sh [WRITERS [ROUNDS [VARIANT...]]]   (make bench-feast-registry)
#
# VARIANTs: file, file+lock, sqlite, postgres (default: all four; postgres only when Debian's
# PostgreSQL server is installed: a throwaway cluster is started here). Runs Feast's own CLI from
# scripts/feast-env.sh against one registry per variant (bench/feast_registry.py says how
# losses are counted) and prints the table docs/feast-registry.md shows. Reports; never fails
# on a figure.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
writers=${1:-6}
rounds=${2:-3}
[ $# -gt 2 ] && shift 2 || set --
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ $# = 0 ]; then
	set -- file file+lock sqlite
	if [ -x "$pgbin/pg_ctl" ]; then set -- "$@" postgres; else echo "no PostgreSQL server installed: no postgres row" >&2; fi
fi
py=$("$src/scripts/feast-env.sh" | tail -n 1)
work=${FEAST_BUILD_DIR:-$src/build}/bench/feast-registry
rm -rf "$work"
mkdir -p "$work"

# pg_start: a PostgreSQL cluster of its own on a free loopback port (as user postgres when
# run as root: the server refuses root), trust authentication, database feast.
pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_start() {
	pgdir=$work/pg
	mkdir -p "$pgdir"
	[ "$(id -u)" = 0 ] && chown postgres "$pgdir"
	port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	pg "$pgbin/initdb" -D "$pgdir/data" -A trust -U feast >"$pgdir/initdb.log" 2>&1
	pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
		-o "-k $pgdir -p $port -c listen_addresses=127.0.0.1" start >/dev/null
	trap 'pg "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true' EXIT
	pg "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U feast feast
	FEAST_BENCH_PG_URL=postgresql+psycopg://feast@127.0.0.1:$port/feast
	export FEAST_BENCH_PG_URL
}
case " $* " in *" postgres "*) pg_start ;; esac
"$py" "$src/bench/feast_registry.py" "$work" "$writers" "$rounds" \
	"${FEAST_BIN_DIR:-$src/bin}/feast-sidecar" "$@" >"$work/results.jsonl"
"$py" - "$work/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| registry | writers | scenario | updates | lost | objects gone | failed writers | round, median |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for r in rows:
    print("| %s | %d | %s | %d | %d | %d | %d | %.1f s |" % (r["variant"], r["writers"], r["scenario"],
          r["updates"], r["lost"], r["gone"], r["failed"], statistics.median(r["wall_ms"]) / 1000))
for r in rows:
    if r["variant"].endswith("+lock") and r["handoff_ms"]:
        print("%s %s: lock handoff (one writer's end to the next one's start) median %d ms, max %d ms"
              % (r["variant"], r["scenario"], statistics.median(r["handoff_ms"]), max(r["handoff_ms"])))
PY

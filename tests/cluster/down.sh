#!/bin/sh
# down.sh -- stop exactly what tests/cluster/up.sh DIR started, newest first, and remove
# its etcd data. Safe to run twice, or on a DIR whose start failed half way.
#
# Usage: tests/cluster/down.sh DIR
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
[ -f "$dir/pids" ] || exit 0
pids=$(awk '{ print $1 }' "$dir/pids" | tac)
for p in $pids; do kill "$p" 2>/dev/null; done
# Give each component 10 s to exit on SIGTERM, then SIGKILL what is left.
i=0
while [ $i -lt 100 ]; do
	alive=""
	for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
	[ -z "$alive" ] && break
	sleep 0.1
	i=$((i + 1))
done
for p in $pids; do kill -9 "$p" 2>/dev/null; done
rm -f "$dir/pids"
rm -rf "$dir/etcd"
exit 0

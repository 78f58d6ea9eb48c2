#!/bin/sh
# dist.sh ARCHIVE FILE... -- a reproducible tar.gz of FILEs, flat at its root.
#
# The same inputs give the same bytes: names sorted, owner and group 0, modes
# 0755 for executables and 0644 otherwise, every mtime SOURCE_DATE_EPOCH, ustar
# headers (no atime/ctime), gzip without name or timestamp.  Executables lose
# their debug information and build ID (derived from the debug information,
# which names the build directory), so a checkout elsewhere gives the same bytes.
# STRIP is the target's strip (a cross build's binutils), strip by default.
set -eu
out=$1
shift
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH must be set}"
stage=$(mktemp -d "${TMPDIR:-/tmp}/feast-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
for f in "$@"; do
	name=$(basename "$f")
	if [ -x "$f" ] && head -c 4 "$f" | grep -q 'ELF'; then
		"${STRIP:-strip}" --strip-debug --remove-section=.note.gnu.build-id -o "$stage/$name" "$f"
		chmod 0755 "$stage/$name"
	elif [ -x "$f" ]; then
		install -m 0755 "$f" "$stage/$name"
	else
		install -m 0644 "$f" "$stage/$name"
	fi
	touch -h -d "@$SOURCE_DATE_EPOCH" "$stage/$name"
done
mkdir -p "$(dirname "$out")"
(cd "$stage" && LC_ALL=C tar --format=ustar --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$SOURCE_DATE_EPOCH" -cf - -- *) | gzip -9 -n >"$out.tmp"
mv "$out.tmp" "$out"

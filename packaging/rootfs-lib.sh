# rootfs-lib.sh -- helpers the image scripts (image.sh, cmp-image.sh) source: what goes
# into a minimal root filesystem, how it becomes a reproducible layer, and the image around it.
#
# The caller sets `work` (a scratch folder these write into) and SOURCE_DATE_EPOCH, and
# runs with `set -eu`; every helper writes only below `work` or the root it is given.

triplet_of() {
	case "$1" in
	amd64) echo x86_64-linux-gnu ;;
	arm64) echo aarch64-linux-gnu ;;
	*) echo "image.sh: unknown architecture $1" >&2; exit 1 ;;
	esac
}

# closure ELF TRIPLET: the paths of the shared objects ELF needs, transitively, where the
# target's loader finds them (Debian's multiarch folders), then the loader itself.
closure() {
	: >"$work/seen"
	printf '%s\n' "$1" >"$work/todo"
	while [ -s "$work/todo" ]; do
		f=$(head -n 1 "$work/todo")
		sed -i 1d "$work/todo"
		for n in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			grep -qx "[^ ]*/$n" "$work/seen" && continue
			p=""
			for d in "/lib/$2" "/usr/lib/$2"; do
				[ -e "$d/$n" ] && { p=$d/$n; break; }
			done
			[ -n "$p" ] || { echo "image.sh: $f needs $n, not found for $2" >&2; exit 1; }
			echo "$p" >>"$work/seen"
			echo "$p" >>"$work/todo"
		done
	done
	cat "$work/seen"
	readelf -l "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p'
}

# owner PATH ARCH: the Debian package (name:arch) that installed PATH, under /usr merged.
owner() {
	for c in "$1" "$(readlink -f "$1")" "/usr$1" "${1#/usr}"; do
		o=$(dpkg-query -S "$c" 2>/dev/null | grep -v '^diversion' | head -n 1 | cut -d: -f1,2) || true
		[ -n "$o" ] && { echo "$o" | sed "s/:.*//; s/\$/:$2/"; return; }
	done
	echo "image.sh: no Debian package owns $1" >&2
	exit 1
}

# package_data ROOT ARCH PKG...: var/lib/dpkg/status.d/<package> for each PKG (name:arch,
# or a bare name for an Architecture: all package), its stanza as dpkg records it, without
# conffiles (none of them is in the image).
package_data() {
	r=$1
	shift 2
	mkdir -p "$r/var/lib/dpkg/status.d"
	for p in $(printf '%s\n' "$@" | sort -u); do
		dpkg-query -s "$p" | sed '/^Conffiles:/,/^[^ ]/{/^Conffiles:/d;/^ /d}' \
			>"$r/var/lib/dpkg/status.d/${p%%:*}"
	done
}

# copy_closure ROOT ELF TRIPLET ARCH: ELF's shared objects and loader into ROOT, at the
# paths the loader looks at; prints the Debian packages they came from.  A file wanted at
# two paths (the loader: PT_INTERP and libc's DT_NEEDED) is copied once and linked, as
# Debian has it.
copy_closure() {
	: >"$work/copied"
	closure "$2" "$3" >"$work/closure"
	while read -r lib; do
		mkdir -p "$1$(dirname "$lib")"
		real=$(readlink -f "$lib")
		first=$(sed -n "s|^$real ||p" "$work/copied")
		if [ -n "$first" ]; then
			ln -s "$(realpath -m --relative-to="$(dirname "$lib")" "$first")" "$1$lib"
		else
			cp -L "$lib" "$1$lib"
			chmod 0755 "$1$lib"
			echo "$real $lib" >>"$work/copied"
		fi
		owner "$lib" "$4"
	done <"$work/closure"
}

# distro_markers ROOT: /etc/os-release and /etc/debian_version, which scanners read to
# match the packages against the right distribution.
distro_markers() {
	mkdir -p "$1/etc"
	cp -L /etc/os-release "$1/etc/os-release"
	cp -L /etc/debian_version "$1/etc/debian_version"
}

# fix_modes ROOT: 0644 files under etc and var, 0755 folders, 1777 /tmp, every mtime
# SOURCE_DATE_EPOCH.
fix_modes() {
	find "$1/etc" "$1/var" -type f -exec chmod 0644 {} +
	find "$1" -type d -exec chmod 0755 {} +
	chmod 1777 "$1/tmp"
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

# layer ROOT TAR HOME UID: everything owned by root, then the user's HOME (relative to ROOT)
# owned by UID.
layer() {
	(cd "$1" && find . -mindepth 1 ! -path "./$3" | sed 's|^\./||' | sort >"$work/list")
	tar --format=ustar --no-recursion --numeric-owner --owner=0 --group=0 --mtime="@$SOURCE_DATE_EPOCH" \
		-C "$1" -cf "$2" -T "$work/list"
	tar --format=ustar --no-recursion --numeric-owner --owner="$4" --group="$4" \
		--mtime="@$SOURCE_DATE_EPOCH" -C "$1" -rf "$2" "$3"
}


# archive LAYOUT OUT: the oci-archive of LAYOUT, its bytes fixed like the layers'.
archive() {
	find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	mkdir -p "$(dirname "$2")"
	(cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort >"$work/oci-list")
	tar --format=ustar --no-recursion --numeric-owner --owner=0 --group=0 --mode=u+rw,go+r \
		--mtime="@$SOURCE_DATE_EPOCH" -C "$1" -cf "$2.tmp" -T "$work/oci-list"
	mv "$2.tmp" "$2"
}

# oci_image LAYOUT ARCH LAYER SCRIPT TITLE DESCRIPTION [UMOCI_CONFIG_ARG...]: the one-layer
# image LAYOUT:ARCH from LAYER (made by `layer`), its history naming SCRIPT, its config the
# image's own arguments plus the OCI labels and annotations every image of the project
# carries (from $PROJECT_URL, $version, $revision, $created).
oci_image() {
	_layout=$1 _arch=$2 _layer=$3 _by=$4 _title=$5 _desc=$6
	shift 6
	umoci new --image "$_layout:$_arch"
	umoci raw add-layer --image "$_layout:$_arch" --history.created "$created" \
		--history.created_by "$_by (kubectl-feast $version)" --history.author kubectl-feast \
		"$_layer"
	umoci config --no-history --image "$_layout:$_arch" \
		--created "$created" --author "kubectl-feast" --os linux --architecture "$_arch" \
		"$@" \
		--config.label "org.opencontainers.image.title=$_title" \
		--config.label "org.opencontainers.image.description=$_desc" \
		--config.label "org.opencontainers.image.source=$PROJECT_URL" \
		--config.label "org.opencontainers.image.version=$version" \
		--config.label "org.opencontainers.image.revision=$revision" \
		--config.label "org.opencontainers.image.created=$created" \
		--config.label "org.opencontainers.image.licenses=MIT" \
		--manifest.annotation "org.opencontainers.image.source=$PROJECT_URL" \
		--manifest.annotation "org.opencontainers.image.version=$version" \
		--manifest.annotation "org.opencontainers.image.revision=$revision" \
		--manifest.annotation "org.opencontainers.image.created=$created"
}

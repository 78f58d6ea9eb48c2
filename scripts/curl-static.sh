#!/bin/sh
# curl-static.sh ARCH OUT -- build a static libcurl, with HTTP/2, for the sidecar image into OUT
# (OUT/lib/libcurl.a and libnghttp2.a, OUT/include/, OUT/status.d/: the dpkg stanzas of both).
#
# Why: Debian's libcurl4 is built with LDAP, Kerberos, SSH, RTMP, IDN and PSL, whose
# shared objects (GnuTLS and libunistring among them) are 16 MiB of the image, though
# the daemon only speaks HTTP(S) to the API server.  This builds the same source
# package (`apt-get source curl` at the version of the installed libcurl4-openssl-dev,
# Debian's patches applied), with HTTP and HTTPS over OpenSSL, HTTP/2, proxies (HTTP
# CONNECT, SOCKS) and the CA bundle path Debian uses, and nothing else.  HTTP/2 comes from
# Debian's nghttp2 source package at the version of the libnghttp2-14 that Debian's libcurl4
# uses here, so the image's libcurl offers what the development build's does; only its
# library is built (about 150 KiB), not its programs.
#
# OUT is a cache: the caller names it after this script's hash and ARCH, and OUT/version
# records both Debian versions, so a changed recipe or a Debian update builds anew and a
# second run returns at once.
set -eu
arch=$1 out=$2
case "$arch" in
amd64) triplet=x86_64-linux-gnu ;;
arm64) triplet=aarch64-linux-gnu ;;
*) echo "curl-static.sh: unknown architecture $arch" >&2; exit 1 ;;
esac
# The versions Debian's own libcurl4 has here: its development package's, and the
# libnghttp2-14 it depends on.
version=$(dpkg-query -W -f '${Version}' "libcurl4-openssl-dev:$arch")
[ -n "$version" ] || { echo "curl-static.sh: libcurl4-openssl-dev:$arch is not installed" >&2; exit 1; }
h2_version=$(dpkg-query -W -f '${Version}' "libnghttp2-14:$arch")
[ -n "$h2_version" ] || { echo "curl-static.sh: libnghttp2-14:$arch is not installed" >&2; exit 1; }
key="curl $version nghttp2 $h2_version"
# Built already, from the same Debian versions: nothing to do (the libraries keep their mtime).
[ -f "$out/lib/libcurl.a" ] && [ "$(cat "$out/version" 2>/dev/null)" = "$key" ] && exit 0
work=$(mktemp -d "${TMPDIR:-/tmp}/feast-curl.XXXXXX")
trap 'rm -rf "$work"' EXIT
inst=$work/inst
mkdir -p "$inst/lib/pkgconfig" "$inst/include/nghttp2" "$work/status.d"

# fetch_source PACKAGE VERSION: Debian's source package, unpacked with its patches into
# $work/PACKAGE (scripts/deps.sh enables deb-src).  apt checks the files against the
# signed archive index; dpkg-source's own gpgv check has no keyring here and only warns.
fetch_source() {
	mkdir -p "$work/dl-$1"
	(cd "$work/dl-$1" && apt-get source -qq --download-only "$1=$2" >/dev/null 2>"$work/fetch.log") ||
		{ cat "$work/fetch.log" >&2; echo "curl-static.sh: apt-get source $1=$2 failed" >&2; exit 1; }
	(cd "$work/dl-$1" && dpkg-source -x -q ./"$1"_*.dsc "$work/$1" >/dev/null 2>"$work/unpack.log") ||
		{ cat "$work/unpack.log" >&2; exit 1; }
}

# nghttp2's library, compiled directly: Debian's orig tarball is a git snapshot without
# a generated configure, and its CMake project asks for a C++ cross compiler though the
# library is C.  The library is lib/*.c with four facts about the platform (glibc has all
# four) and a version header; the pkg-config file is what curl's configure reads.
build_nghttp2() {
	fetch_source nghttp2 "$h2_version"
	cd "$work/nghttp2"
	v=$(sed -n 's/^AC_INIT(\[nghttp2\], \[\([0-9.]*\)\].*/\1/p' configure.ac)
	[ -n "$v" ] || { echo "curl-static.sh: no version in nghttp2's configure.ac" >&2; exit 1; }
	num=$(echo "$v" | awk -F. '{ printf "0x%02x%02x%02x", $1, $2, $3 }')
	sed "s/@PACKAGE_VERSION@/$v/; s/@PACKAGE_VERSION_NUM@/$num/" lib/includes/nghttp2/nghttp2ver.h.in \
		>lib/includes/nghttp2/nghttp2ver.h
	# Relative paths: the objects' assertion strings name lib/..., not this scratch folder.
	for f in lib/*.c; do
		"$triplet-gcc" -std=gnu99 -O2 -fPIC -ffunction-sections -fdata-sections -DBUILDING_NGHTTP2 \
			-DHAVE_ARPA_INET_H -DHAVE_NETINET_IN_H -DHAVE_TIME_H -DHAVE_CLOCK_GETTIME \
			-Ilib/includes -Ilib -c -o "${f%.c}.o" "$f" 2>>"$work/nghttp2.log" ||
			{ cat "$work/nghttp2.log" >&2; exit 1; }
	done
	"$triplet-ar" rcsD "$inst/lib/libnghttp2.a" lib/*.o
	cp lib/includes/nghttp2/nghttp2.h lib/includes/nghttp2/nghttp2ver.h "$inst/include/nghttp2/"
	printf 'prefix=%s\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\n\nName: libnghttp2\nDescription: HTTP/2 C library\nVersion: %s\nLibs: -L${libdir} -lnghttp2\nCflags: -I${includedir}\n' \
		"$inst" "$v" >"$inst/lib/pkgconfig/libnghttp2.pc"
}

build_curl() {
	fetch_source curl "$version"
	cd "$work/curl"
	export PKG_CONFIG_LIBDIR="/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig"
	./configure -q --host="$triplet" CC="$triplet-gcc" CFLAGS="-O2 -ffunction-sections -fdata-sections" \
		--prefix="$inst" --disable-shared --enable-static --with-pic \
		--with-openssl --with-nghttp2="$inst" --without-zlib --without-brotli --without-zstd \
		--without-libidn2 --without-libpsl --without-librtmp --without-libssh2 --without-libssh \
		--without-gssapi --without-libgsasl --disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
		--disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp \
		--disable-gopher --disable-mqtt --disable-ftp --disable-file --disable-manual --disable-ntlm \
		--disable-ntlm-wb --disable-alt-svc --disable-hsts --disable-cookies --disable-netrc \
		--disable-progress-meter --enable-proxy --enable-ipv6 --enable-threaded-resolver \
		--with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs \
		>"$work/configure.log" 2>&1 || { tail -n 30 "$work/configure.log" >&2; exit 1; }
	# A libcurl that silently lost HTTP/2 would still link and pass the HTTP/1.1 tests.
	grep -q '^#define USE_NGHTTP2 1' lib/curl_config.h ||
		{ grep -i nghttp2 "$work/configure.log" >&2; echo "curl-static.sh: configure did not take nghttp2" >&2; exit 1; }
	make -s -C lib -j2 >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; exit 1; }
	make -s -C lib install >/dev/null
	make -s -C include install >/dev/null
}

# stanza PACKAGE SOURCE VERSION DEV-PACKAGE DESCRIPTION HOMEPAGE: the package data the
# image carries for a library linked in: Debian's binary package name, source package and
# version, as scanners already know them.
stanza() {
	{
		printf 'Package: %s\nStatus: install ok installed\nPriority: optional\nSection: libs\n' "$1"
		printf 'Maintainer: %s\n' "$(dpkg-query -W -f '${Maintainer}' "$4:$arch")"
		printf 'Architecture: %s\nMulti-Arch: same\nSource: %s\nVersion: %s\n' "$arch" "$2" "$3"
		printf 'Description: %s\n' "$5"
		printf ' Built from the Debian source package %s %s, linked statically into\n' "$2" "$3"
		printf ' /usr/bin/feast-sidecar by scripts/curl-static.sh.\n'
		printf 'Homepage: %s\n' "$6"
	} >"$work/status.d/$1"
}

build_nghttp2
build_curl
stanza libcurl4 curl "$version" libcurl4-openssl-dev \
	'easy-to-use client-side URL transfer library (OpenSSL flavour): HTTP, HTTPS, HTTP/2, proxies' \
	https://curl.se/
stanza libnghttp2-14 nghttp2 "$h2_version" libnghttp2-14 'library implementing HTTP/2 protocol' \
	https://nghttp2.org/
# Into place in one rename: another checkout on this machine may be building the same key.
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$out.XXXXXX")
cp -r "$inst/lib" "$inst/include" "$work/status.d" "$tmp/"
rm -rf "$tmp/lib/pkgconfig" "$tmp/lib/libcurl.la"
echo "$key" >"$tmp/version"
chmod 0755 "$tmp"
rm -rf "$out"
mv -T "$tmp" "$out" 2>/dev/null || rm -rf "$tmp"

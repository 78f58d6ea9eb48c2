#!/bin/sh
# curl-static.sh ARCH OUT -- build a static libcurl for the sidecar image into OUT
# (OUT/lib/libcurl.a, OUT/include/curl/, OUT/status: the dpkg stanza describing it).
#
# Why: Debian's libcurl4 is built with LDAP, Kerberos, SSH, RTMP, IDN and PSL, whose
# shared objects (GnuTLS and libunistring among them) are 16 MiB of the image, though
# the daemon only speaks HTTP(S) to the API server.  This builds the same source
# package (`apt-get source curl` at the version of the installed libcurl4-openssl-dev,
# Debian's patches applied), with HTTP and HTTPS over OpenSSL, proxies (HTTP CONNECT,
# SOCKS) and the CA bundle path Debian uses, and nothing else.  The kube client pins
# HTTP/1.1 (kube/kube_client.c), so nghttp2 would be dead weight and is left out.
#
# OUT is a cache: the caller names it after this script's hash and ARCH, and OUT/version
# records the Debian version, so a changed recipe or a Debian update builds anew and a
# second run returns at once.
set -eu
arch=$1 out=$2
case "$arch" in
amd64) triplet=x86_64-linux-gnu ;;
arm64) triplet=aarch64-linux-gnu ;;
*) echo "curl-static.sh: unknown architecture $arch" >&2; exit 1 ;;
esac
version=$(dpkg-query -W -f '${Version}' "libcurl4-openssl-dev:$arch")
[ -n "$version" ] || { echo "curl-static.sh: libcurl4-openssl-dev:$arch is not installed" >&2; exit 1; }
# Built already, from the same Debian version: nothing to do (the library keeps its mtime).
[ -f "$out/lib/libcurl.a" ] && [ "$(cat "$out/version" 2>/dev/null)" = "$version" ] && exit 0
work=$(mktemp -d "${TMPDIR:-/tmp}/feast-curl.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The source: Debian's, at the installed version (scripts/deps.sh enables deb-src).
(cd "$work" && apt-get source -qq --download-only "curl=$version" >/dev/null 2>"$work/fetch.log") ||
	{ cat "$work/fetch.log" >&2; echo "curl-static.sh: apt-get source curl=$version failed" >&2; exit 1; }
# apt checked the files against the signed archive index; dpkg-source's own gpgv check
# has no keyring here and only warns.
(cd "$work" && dpkg-source -x -q ./curl_*.dsc src >/dev/null 2>"$work/unpack.log") ||
	{ cat "$work/unpack.log" >&2; exit 1; }

cd "$work/src"
export PKG_CONFIG_LIBDIR="/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig"
./configure -q --host="$triplet" CC="$triplet-gcc" CFLAGS="-O2 -ffunction-sections -fdata-sections" \
	--prefix="$work/inst" --disable-shared --enable-static --with-pic \
	--with-openssl --without-nghttp2 --without-zlib --without-brotli --without-zstd \
	--without-libidn2 --without-libpsl --without-librtmp --without-libssh2 --without-libssh \
	--without-gssapi --without-libgsasl --disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
	--disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp \
	--disable-gopher --disable-mqtt --disable-ftp --disable-file --disable-manual --disable-ntlm \
	--disable-ntlm-wb --disable-alt-svc --disable-hsts --disable-cookies --disable-netrc \
	--disable-progress-meter --enable-proxy --enable-ipv6 --enable-threaded-resolver \
	--with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs \
	>"$work/configure.log" 2>&1 || { tail -n 30 "$work/configure.log" >&2; exit 1; }
make -s -C lib -j2 >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; exit 1; }
make -s -C lib install >/dev/null
make -s -C include install >/dev/null

# The package data the image carries for what was linked in: Debian's source package at
# Debian's version, as the libcurl4 a scanner already knows.
{
	printf 'Package: libcurl4\nStatus: install ok installed\nPriority: optional\nSection: libs\n'
	printf 'Maintainer: %s\n' "$(dpkg-query -W -f '${Maintainer}' "libcurl4-openssl-dev:$arch")"
	printf 'Architecture: %s\nMulti-Arch: same\nSource: curl\nVersion: %s\n' "$arch" "$version"
	printf 'Description: easy-to-use client-side URL transfer library (OpenSSL flavour)\n'
	printf ' Built from the Debian source package curl %s, linked statically into\n' "$version"
	printf ' /usr/bin/feast-sidecar: HTTP and HTTPS over OpenSSL, proxies; nothing else.\n'
	printf 'Homepage: https://curl.se/\n'
} >"$work/status"
# Into place in one rename: another checkout on this machine may be building the same key.
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$out.XXXXXX")
cp -r "$work/inst/lib" "$work/inst/include" "$work/status" "$tmp/"
echo "$version" >"$tmp/version"
chmod 0755 "$tmp"
rm -rf "$out"
mv -T "$tmp" "$out" 2>/dev/null || rm -rf "$tmp"

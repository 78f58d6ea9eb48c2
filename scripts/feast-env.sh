#!/bin/sh
# feast-env.sh -- create once, then reuse, the virtual environment with the Feast SDK the tests run; its python is the last line printed.
#
# The environment lives in the user's cache, named after the Feast version and a hash of
# scripts/feast-requirements.txt, so every clone on the machine shares it and a change of
# the pins makes a new one. Creation takes a lock: parallel test runs wait for one install
# instead of racing it, and a half-built environment (no .complete) is rebuilt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
req=$here/feast-requirements.txt
version=$(sed -n 's/^feast\[[a-z0-9,]*\]==\([^ ]*\) .*/\1/p' "$req")
[ -n "$version" ] || { echo "feast-env: no feast pin in $req" >&2; exit 1; }
hash=$(sha256sum "$req" | cut -c1-12)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-feast
env=$cache/feast-$version-$hash

if [ ! -f "$env/.complete" ]; then
	mkdir -p "$cache"
	# Debian's python: the pinned wheels are CPython 3.11 builds; a pyenv or conda
	# python3 earlier on PATH may be another version.
	py=${FEAST_ENV_PYTHON:-/usr/bin/python3}
	[ -x "$py" ] || py=$(command -v python3)
	exec 9>"$env.lock"
	flock 9
	if [ ! -f "$env/.complete" ]; then
		echo "feast-env: creating $env (feast $version, about 2 minutes)" >&2
		rm -rf "$env"
		"$py" -m venv "$env" >&2
		PIP_DISABLE_PIP_VERSION_CHECK=1 "$env/bin/python" -m pip install --quiet \
			--require-hashes --only-binary=:all: -r "$req" >&2
		"$env/bin/feast" version >/dev/null
		touch "$env/.complete"
	fi
	exec 9>&-
fi
echo "$env/bin/python"

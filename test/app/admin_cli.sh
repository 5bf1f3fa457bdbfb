#!/usr/bin/env bash
# mcpauth-server's key and client administration, its TOML configuration file, --no-auth's
# warning and --help, end to end on a real SQLite store (run by ctest).
# Usage: admin_cli.sh BUILD_DIR
set -euo pipefail
BIN="$(cd "${1:?usage: admin_cli.sh BUILD_DIR}" && pwd)/bin/mcpauth-server"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
D="$WORK/data"
wait_log() {  # wait_log FILE PATTERN
  for _ in $(seq 1 100); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  fail "no '$2' in $1: $(cat "$1")"
}

# Keys: on an empty store the first rotate creates the initial key (one key, not a key and its
# successor); each rotate after that makes a new key active and retires the old one: after three
# rotates, one active, two retired.
"$BIN" keys list --data-dir "$D" > "$WORK/keys0"
[ ! -s "$WORK/keys0" ] || fail "keys exist before the first start"
"$BIN" keys rotate --data-dir "$D" > "$WORK/rotate0"
grep -q "created the first active key" "$WORK/rotate0" || fail "rotate said: $(cat "$WORK/rotate0")"
"$BIN" keys list --data-dir "$D" > "$WORK/keys1"
[ "$(wc -l < "$WORK/keys1")" = 1 ] || fail "first rotate made more than one key: $(cat "$WORK/keys1")"
"$BIN" keys rotate --data-dir "$D" > "$WORK/rotate"
grep -q "new active key" "$WORK/rotate" || fail "rotate said: $(cat "$WORK/rotate")"
"$BIN" keys rotate --data-dir "$D" > /dev/null
"$BIN" keys list --data-dir "$D" > "$WORK/keys"
[ "$(grep -c ' active$' "$WORK/keys")" = 1 ] || fail "not exactly one active key: $(cat "$WORK/keys")"
[ "$(grep -c ' retired$' "$WORK/keys")" = 2 ] || fail "not two retired keys: $(cat "$WORK/keys")"
! grep -q '"d"' "$WORK/keys" || fail "a private key was printed"

# Clients: a confidential resource-server client prints its secret once; stored hashed.
"$BIN" client add "Gateway" --resource-server --data-dir "$D" > "$WORK/client"
ID=$(sed -n 's/^client_id: //p' "$WORK/client")
SECRET=$(sed -n 's/^client_secret: //p' "$WORK/client")
[ -n "$ID" ] && [ ${#SECRET} -ge 40 ] || fail "client add printed: $(cat "$WORK/client")"
! grep -aqF -- "$SECRET" "$D/mcpauth.db" || fail "the client secret is stored in plain text"
"$BIN" client add "Bad" --redirect-uri "http://evil.example.com/cb" --data-dir "$D" > /dev/null 2>&1 &&
  fail "a non-loopback http redirect URI was accepted"
# (Outputs go to files before grep -q: with pipefail, grep quitting early would fail the writer.)
"$BIN" client list --data-dir "$D" > "$WORK/clients"
grep -qF -- "$ID  static" "$WORK/clients" || fail "client not listed"

# The TOML configuration file gives the same settings as the flags; the running server serves
# the keys rotated above and lets the resource-server client introspect.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/mcpauth.toml" <<TOML
# mcpauth-server configuration: the names of the command-line flags
listen = "127.0.0.1:$PORT"
data-dir = "$D"
server-name = "Acme Tools"
tool-scope = ["add=mcp:read"]
TOML
"$BIN" --config "$WORK/mcpauth.toml" > "$WORK/out" 2> "$WORK/err" &
SERVER_PID=$!
wait_log "$WORK/err" "listening on"
BASE="http://127.0.0.1:$PORT"
curl -sf "$BASE/login" > "$WORK/login.html"
grep -q "Acme Tools" "$WORK/login.html" || fail "server-name from the config file not used"
curl -sf "$BASE/.well-known/oauth-protected-resource/mcp" > "$WORK/prm.json"
grep -q '"resource_name":"Acme Tools"' "$WORK/prm.json" || fail "protected resource metadata"
[ "$(curl -sf "$BASE/jwks.json" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["keys"]))')" = 3 ] ||
  fail "the JWKS does not publish the active and the retired keys"
curl -sf -u "$ID:$SECRET" -d token=nothing "$BASE/introspect" > "$WORK/introspect.json"
grep -q '"active":false' "$WORK/introspect.json" || fail "the resource-server client cannot introspect"
CODE=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/mcp" -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}')
[ "$CODE" = 401 ] || fail "/mcp without a token answered $CODE"
kill "$SERVER_PID"; wait "$SERVER_PID" || fail "server did not exit 0"; SERVER_PID=""
"$BIN" client remove "$ID" --data-dir "$D" > "$WORK/removed"
grep -q "removed" "$WORK/removed" || fail "client remove"

# --no-auth says loudly that it is on, and /mcp then answers without a token.
"$BIN" --listen 127.0.0.1:0 --data-dir "$D" --no-auth > "$WORK/out2" 2> "$WORK/err2" &
SERVER_PID=$!
wait_log "$WORK/err2" "listening on"
grep -q "WITHOUT ANY AUTHORIZATION" "$WORK/err2" || fail "--no-auth is silent"
kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""

# --help names the essentials and shows examples.
"$BIN" --help > "$WORK/help"
for word in --listen --public-url --data-dir --authorization-server --no-auth --config Examples; do
  grep -q -- "$word" "$WORK/help" || fail "--help lacks $word"
done
echo "PASS admin_cli"

#!/usr/bin/env bash
# The `mcpauth` CLI's sign-in cycle end to end against our own server (run by ctest):
# login (the browser step done by test/tools/form_browser.py through the real sign-in and consent
# forms, started by the CLI through $BROWSER), credentials in an encrypted file store
# (`--store file:PATH`, MCPAUTH_STORE_KEY), call, status, reuse by a new process without a
# browser, logout (revocation), and the message after it.
# Usage: cli_login.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: cli_login.sh BUILD_DIR}" && pwd)
source "$(cd "$(dirname "$0")" && pwd)/cli_lib.sh"
# 60 s access tokens: within the client's 60 s refresh margin, so every call of a new process
# refreshes first (restart-and-refresh through the stored refresh token, under the store's lock).
cli_setup "$BUILD" --access-token-lifetime 60

export MCPAUTH_STORE_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
CREDS="$WORK/creds.enc"
M() { "$CLI" --store "file:$CREDS" --timeout 30 "$@"; }

echo "=== before login: call fails with how to connect"
BROWSER=false M call "$URL" whoami > "$WORK/out0" 2> "$WORK/err0" && fail "call without credentials succeeded"
grep -qF "mcpauth login $URL" "$WORK/err0" || fail "no reconnect hint: $(cat "$WORK/err0")"
sed 's/^/  /' "$WORK/err0"

echo "=== login"
BROWSER="$WORK/browser.sh" M --debug login "$URL" > "$WORK/login.out" 2> "$WORK/login.err" ||
  fail "login failed: $(cat "$WORK/login.err")"
grep "signed in" "$WORK/login.err" | sed 's/^/  /'
grep -q "^CALLBACK http://127.0.0.1:[0-9]*/callback?" "$WORK/browser.log" || fail "the browser did not reach the loopback callback"
[ -s "$CREDS" ] || fail "no credentials file"
[ "$(stat -c %a "$CREDS")" = 600 ] || fail "credentials file mode is $(stat -c %a "$CREDS")"
[ "$(head -c 8 "$CREDS")" = MCPAUTHC ] || fail "credentials file is not an encrypted store"
# A plaintext credential would carry these member names and the JWT access token's "eyJ" prefix.
! grep -aqE 'access_token|refresh_token|eyJ' "$CREDS" || fail "a token is in plain text in the credentials file"
! grep -aqE 'eyJ' "$WORK/login.out" "$WORK/login.err" || fail "a token reached the output of login"

echo "=== call whoami"
BROWSER=false M --debug call "$URL" whoami > "$WORK/call1.out" 2> "$WORK/call1.err" ||
  fail "call failed: $(cat "$WORK/call1.err")"
grep -q alice "$WORK/call1.out" || fail "whoami does not say alice: $(cat "$WORK/call1.out")"
! grep -aqE 'eyJ' "$WORK/call1.out" "$WORK/call1.err" || fail "a token reached the output of call"
sed 's/^/  /' "$WORK/call1.out"

echo "=== status"
M status > "$WORK/status.out" 2> "$WORK/status.err" || fail "status failed: $(cat "$WORK/status.err")"
grep -qxF "$URL" "$WORK/status.out" || fail "status does not list $URL: $(cat "$WORK/status.out")"
grep -q "issuer:   http://127.0.0.1:$PORT" "$WORK/status.out" || fail "status shows no issuer"
! grep -aqE 'eyJ' "$WORK/status.out" || fail "status printed a token"
sed 's/^/  /' "$WORK/status.out"

echo "=== a new process reuses (and refreshes) the stored credentials, no browser"
expiry() { M --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentials"][0]["expiresAt"])'; }
BEFORE=$(expiry)
sleep 1.1
BROWSER=false M call "$URL" whoami > "$WORK/call2.out" 2> "$WORK/call2.err" ||
  fail "second call failed: $(cat "$WORK/call2.err")"
grep -q alice "$WORK/call2.out" || fail "second whoami does not say alice"
AFTER=$(expiry)
[ "$AFTER" != "$BEFORE" ] || fail "the new process did not refresh (expiry still $BEFORE)"
echo "  refreshed: expiry $BEFORE -> $AFTER"
BROWSER=false M tools "$URL" | grep -q '^whoami' || fail "tools does not list whoami"
[ "$(grep -c '^CALLBACK' "$WORK/browser.log")" = 1 ] || fail "the browser was used again"
echo "  ok"

echo "=== wrong store key: a clear failure"
MCPAUTH_STORE_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') \
  BROWSER=false M call "$URL" whoami > /dev/null 2> "$WORK/badkey.err" && fail "call with a wrong store key succeeded"
grep -q "MCPAUTH_STORE_KEY" "$WORK/badkey.err" || fail "no store-key message: $(cat "$WORK/badkey.err")"
sed 's/^/  /' "$WORK/badkey.err"

echo "=== logout"
M logout "$URL" > "$WORK/logout.out" 2> "$WORK/logout.err" || fail "logout failed: $(cat "$WORK/logout.err")"
grep -q "revoked" "$WORK/logout.err" || fail "logout did not revoke: $(cat "$WORK/logout.err")"
sed 's/^/  /' "$WORK/logout.err"
if M status 2>&1 | grep -qxF "$URL"; then fail "status still lists $URL after logout"; fi

echo "=== after logout: call fails with how to reconnect"
BROWSER=false M call "$URL" whoami > "$WORK/call3.out" 2> "$WORK/call3.err" && fail "call after logout succeeded"
grep -qF "mcpauth login $URL" "$WORK/call3.err" || fail "no reconnect hint: $(cat "$WORK/call3.err")"
sed 's/^/  /' "$WORK/call3.err"
[ "$(grep -c '^CALLBACK' "$WORK/browser.log")" = 1 ] || fail "a browser was opened after logout"
echo "PASS"

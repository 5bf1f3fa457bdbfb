#!/usr/bin/env bash
# Two `mcpauth call` processes refreshing the same credential at once, against our own server
# (refresh tokens rotate on every use, with replay detection that revokes the grant). After one
# login (the browser step by test/tools/form_browser.py through the real forms), each round
# starts two `mcpauth call URL whoami` processes together; both must succeed, and the grant must
# survive: a following call works, and the server's audit log has a `token.refreshed` for every
# process, none of them through the server's grace rule (`via_grace`: the client's lock per
# credential serialized them, the second re-reading the store and using the rotated token), and
# no `refresh.replay_detected` or revocation.
# Access tokens live 60 s (the server's minimum), inside the client's 60 s refresh margin: every
# process finds the stored token expiring and must refresh before its call, which is the race.
# Usage: cli_refresh_race.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?usage: cli_refresh_race.sh BUILD_DIR}" && pwd)
source "$(cd "$(dirname "$0")" && pwd)/cli_lib.sh"
cli_setup "$BUILD" --access-token-lifetime 60
ROUNDS=6
export MCPAUTH_STORE_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
M() { timeout 60 "$CLI" --store "file:$WORK/creds.enc" --timeout 30 "$@"; }

# audit TYPE [via_grace]: how many audit events of TYPE (token.refreshed: only those through the
# grace rule when the second argument is given).
audit() {
  python3 - "$WORK/var/mcpauth.db" "$@" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = db.execute("SELECT detail FROM audit_events WHERE type = ?", (sys.argv[2],)).fetchall()
if len(sys.argv) > 3:
    rows = [r for r in rows if json.loads(r[0]).get("via_grace")]
print(len(rows))
PY
}

echo "=== login"
BROWSER="$WORK/browser.sh" M login "$URL" > /dev/null 2> "$WORK/login.err" ||
  fail "login failed: $(cat "$WORK/login.err")"

echo "=== $ROUNDS rounds of two processes refreshing at once"
for round in $(seq 1 "$ROUNDS"); do
  BROWSER=false M call "$URL" whoami > "$WORK/a.out" 2> "$WORK/a.err" & A=$!
  BROWSER=false M call "$URL" whoami > "$WORK/b.out" 2> "$WORK/b.err" & B=$!
  rc_a=0; rc_b=0
  wait "$A" || rc_a=$?
  wait "$B" || rc_b=$?
  [ "$rc_a" = 0 ] || fail "round $round: process A failed ($rc_a): $(cat "$WORK/a.err")"
  [ "$rc_b" = 0 ] || fail "round $round: process B failed ($rc_b): $(cat "$WORK/b.err")"
  grep -q alice "$WORK/a.out" && grep -q alice "$WORK/b.out" || fail "round $round: whoami does not say alice"
done
echo "  every call succeeded"

echo "=== the grant survives"
BROWSER=false M call "$URL" whoami > "$WORK/after.out" 2> "$WORK/after.err" ||
  fail "a call after the rounds failed: $(cat "$WORK/after.err")"
grep -q alice "$WORK/after.out" || fail "whoami after the rounds does not say alice"
REFRESHED=$(audit token.refreshed)
GRACE=$(audit token.refreshed via_grace)
REPLAYS=$(audit refresh.replay_detected)
REVOKED=$(audit grant.revoked)
echo "  audit: token.refreshed $REFRESHED (via the grace rule: $GRACE), refresh.replay_detected $REPLAYS, grant.revoked $REVOKED"
# At least one per process (so every process really refreshed; today each refreshes before
# connecting and again before its call, since a 60 s token is always inside the 60 s margin).
[ "$REFRESHED" -ge $((2 * ROUNDS + 1)) ] || fail "expected a refresh per process ($((2 * ROUNDS + 1))), saw $REFRESHED"
[ "$GRACE" = 0 ] || fail "$GRACE refreshes relied on the server's grace rule: the client did not serialize them"
[ "$REPLAYS" = 0 ] || fail "the server detected a refresh token replay"
[ "$REVOKED" = 0 ] || fail "the grant was revoked"
if grep -q "replay" "$WORK/server.log"; then fail "the server log reports a replay"; fi
echo "PASS"

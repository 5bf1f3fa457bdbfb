#!/usr/bin/env bash
# mcpauth-server's user administration and first-start account, end to end on a real SQLite
# store (run by ctest). Usage: users_cli.sh BUILD_DIR
set -euo pipefail
BIN="$(cd "${1:?usage: users_cli.sh BUILD_DIR}" && pwd)/bin/mcpauth-server"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
D="$WORK/data"

# First start on an empty store: an "admin" with a one-time password, printed once on stdout.
"$BIN" --listen 127.0.0.1:0 --data-dir "$D" > "$WORK/out" 2> "$WORK/err" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/err" && break; sleep 0.1; done
grep -q "listening on" "$WORK/err" || fail "server did not start: $(cat "$WORK/err")"
kill "$SERVER_PID"; wait "$SERVER_PID" || fail "server did not exit 0 on SIGTERM"; SERVER_PID=""
grep -q "user:     admin" "$WORK/out" || fail "no first-user banner"
PW=$(sed -n 's/^    password: //p' "$WORK/out")
[ ${#PW} -ge 16 ] || fail "one-time password too short"
! grep -qF -- "$PW" "$WORK/err" || fail "the password reached the log"
[ "$(stat -c %a "$D/mcpauth.db")" = 600 ] || fail "database file mode is not 0600"
! grep -aqF -- "$PW" "$D/mcpauth.db" || fail "the password is stored in plain text"
"$BIN" user list --data-dir "$D" | grep -qx admin || fail "admin not listed"

# A second start does not create another user or print a password.
"$BIN" --listen 127.0.0.1:0 --data-dir "$D" > "$WORK/out2" 2> "$WORK/err2" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/err2" && break; sleep 0.1; done
kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
! grep -q "password:" "$WORK/out2" || fail "a second start printed a password"

# add / duplicate (case-insensitive) / passwd / list / remove.
echo "correct horse" | "$BIN" user add alice --password-stdin --data-dir "$D" > /dev/null
! echo "x" | "$BIN" user add ALICE --password-stdin --data-dir "$D" 2> /dev/null || fail "duplicate accepted"
! "$BIN" user add bob --data-dir "$D" < /dev/null 2> /dev/null || fail "add without --password-stdin accepted"
! echo "" | "$BIN" user add carol --password-stdin --data-dir "$D" 2> /dev/null || fail "empty password accepted"
! echo "pw" | "$BIN" user add 'bad name' --password-stdin --data-dir "$D" 2> /dev/null || fail "bad name accepted"
echo "battery staple" | "$BIN" user passwd alice --password-stdin --data-dir "$D" > /dev/null
[ "$("$BIN" user list --data-dir "$D" | sort | tr '\n' ' ')" = "admin alice " ] || fail "list"
"$BIN" user remove alice --data-dir "$D" > /dev/null
! "$BIN" user remove alice --data-dir "$D" 2> /dev/null || fail "removing twice succeeded"
[ "$("$BIN" user list --data-dir "$D")" = "admin" ] || fail "list after remove"
! grep -aqF "battery staple" "$D/mcpauth.db" || fail "a password is stored in plain text"
echo "users_cli: 1 passed, 0 failed"

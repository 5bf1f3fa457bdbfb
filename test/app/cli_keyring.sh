#!/usr/bin/env bash
# The `mcpauth` CLI on a real Secret Service (gnome-keyring under dbus-run-session, shared/
# STACK.md), with the default store (no --store): against our own server, login through the real
# forms (test/tools/form_browser.py as $BROWSER), the item in the keyring (`secret-tool search`),
# call in a new process reusing it without a browser, status, logout (revoked) removing the item.
# Then the failures a user meets, at CLI level: a locked keyring (on disk, nobody unlocked it)
# and no session bus at all. `login` must fail at once — before any browser — with what to do;
# never hang, never fall back silently. Elapsed time is measured only to fail on a hang (> 10 s).
# Each situation is its own dbus-run-session with its own gnome-keyring-daemon in a private HOME,
# as in test/keyring/secret_service_test.sh; nothing asks gnome-keyring for a prompt.
# Usage: cli_keyring.sh BUILD_DIR
# Outside CI, a machine without gnome-keyring skips (exit 77); in CI (CI=true) that is a failure.
set -euo pipefail

# ---- inside a dbus-run-session: cli_keyring.sh --phase NAME (environment from the outer run) --
if [ "${1:-}" = --phase ]; then
  phase=$2
  fail() { echo "FAIL ($phase): $*"; exit 1; }
  M() { timeout 60 "$CLI" --timeout 20 "$@"; }
  wait_for_keyring() {
    for _ in $(seq 200); do
      dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets > "$WORK/owner" 2>&1 || true
      grep -q "boolean true" "$WORK/owner" && return 0
      sleep 0.05
    done
    fail "gnome-keyring did not register on the bus"
  }
  items() {  # items KIND: our items of that kind in the keyring, one "attribute = value" per line
    secret-tool search --all xdg:schema io.mcpauth.Credential kind "$1" > "$WORK/items" 2>&1 || true
    grep -c '^attribute.issuer' "$WORK/items" || true
  }
  # bounded NAME COMMAND...: runs COMMAND (expected to fail), fails on success or a hang.
  bounded() {
    local name=$1; shift
    local start end
    start=$(date +%s%N)
    "$@" > "$WORK/out" 2> "$WORK/err" && fail "$name succeeded"
    end=$(date +%s%N)
    local ms=$(((end - start) / 1000000))
    [ "$ms" -lt 10000 ] || fail "$name took $ms ms: a hang"
    echo "  $name failed after $ms ms:"
    sed 's/^/    /' "$WORK/err"
  }
  case $phase in
    unlocked)
      eval "$(printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)"
      export GNOME_KEYRING_CONTROL
      wait_for_keyring
      echo "=== login (default store: the Secret Service)"
      BROWSER="$WORK/browser.sh" M login "$URL" > "$WORK/out" 2> "$WORK/err" ||
        fail "login failed: $(cat "$WORK/err")"
      grep "signed in" "$WORK/err" | sed 's/^/  /'
      [ "$(items tokens)" = 1 ] || fail "no tokens item in the keyring: $(cat "$WORK/items")"
      [ "$(items registration)" = 1 ] || fail "no registration item in the keyring"
      ! grep -q 'eyJ' "$WORK/items" || fail "a token is in an item's attributes"
      echo "  keyring: one tokens item, one registration item"
      echo "=== call whoami in a new process: no browser"
      BROWSER=false M call "$URL" whoami > "$WORK/out" 2> "$WORK/err" ||
        fail "call failed: $(cat "$WORK/err")"
      grep -q alice "$WORK/out" || fail "whoami does not say alice: $(cat "$WORK/out")"
      [ "$(grep -c '^CALLBACK' "$WORK/browser.log")" = 1 ] || fail "the browser was used again"
      echo "=== status"
      M status > "$WORK/out" 2> "$WORK/err" || fail "status failed: $(cat "$WORK/err")"
      grep -qxF "$URL" "$WORK/out" || fail "status does not list $URL: $(cat "$WORK/out")"
      sed 's/^/  /' "$WORK/out"
      M --json status > "$WORK/out" 2>&1 || fail "status --json failed"
      grep -q '"store":"Secret Service' "$WORK/out" || fail "not the Secret Service: $(cat "$WORK/out")"
      echo "=== logout removes the item"
      M logout "$URL" > "$WORK/out" 2> "$WORK/err" || fail "logout failed: $(cat "$WORK/err")"
      grep -q revoked "$WORK/err" || fail "logout did not revoke: $(cat "$WORK/err")"
      [ "$(items tokens)" = 0 ] || fail "the tokens item is still in the keyring"
      M status > "$WORK/out" 2>&1 || fail "status failed"
      ! grep -qxF "$URL" "$WORK/out" || fail "status still lists $URL"
      echo "  ok: no tokens item left (the registration stays: $(items registration))"
      ;;
    locked)
      eval "$(gnome-keyring-daemon --start --components=secrets)"
      export GNOME_KEYRING_CONTROL
      wait_for_keyring
      echo "=== locked keyring"
      BROWSER="$WORK/browser.sh" bounded "login" M login "$URL"
      grep -q "cannot use the credential store" "$WORK/err" || fail "login did not stop at the store"
      grep -q "locked" "$WORK/err" || fail "login does not say the keyring is locked"
      grep -q "never prompts" "$WORK/err" || fail "login does not say what to do"
      bounded "status" M status
      grep -q "locked" "$WORK/err" || fail "status does not say the keyring is locked"
      ;;
    no-bus)
      echo "=== no session bus (DBUS_SESSION_BUS_ADDRESS names a dead socket)"
      BROWSER="$WORK/browser.sh" bounded "login" M login "$URL"
      grep -q "cannot use the credential store" "$WORK/err" || fail "login did not stop at the store"
      grep -q "no Secret Service" "$WORK/err" || fail "login does not say there is no Secret Service"
      grep -q "MCPAUTH_STORE_KEY" "$WORK/err" || fail "login does not name the alternative"
      echo "=== no session bus (DBUS_SESSION_BUS_ADDRESS unset)"
      unset DBUS_SESSION_BUS_ADDRESS
      BROWSER="$WORK/browser.sh" bounded "login" M login "$URL"
      grep -q "dbus-run-session" "$WORK/err" || fail "login does not say how to start a session"
      ;;
  esac
  exit 0
fi

# ---- outside ---------------------------------------------------------------------------------
BUILD=$(cd "${1:?usage: cli_keyring.sh BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
missing=()
for tool in dbus-run-session dbus-daemon dbus-send gnome-keyring-daemon secret-tool; do
  command -v "$tool" > /dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${CI:-}" = true ]; then
    echo "cli_keyring: ${missing[*]} missing in CI; scripts/install-deps test installs them" >&2
    exit 1
  fi
  echo "cli_keyring: SKIPPED: ${missing[*]} not installed (scripts/install-deps test)" >&2
  exit 77
fi
source "$HERE/cli_lib.sh"
cli_setup "$BUILD"
export CLI WORK URL

# A private home for the keyring; no desktop session's bus or keyring leaks in.
export HOME=$WORK/home XDG_RUNTIME_DIR=$WORK/run XDG_DATA_HOME=$WORK/home/.local/share
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK MCPAUTH_STORE_KEY
export KEYRING_PASSWORD=cli-keyring-test-password
SELF="$HERE/$(basename "$0")"

# 1. Unlocked (this also creates the login keyring that phase 2 finds locked).
timeout 300 dbus-run-session -- bash "$SELF" --phase unlocked 2>&1 | tee "$WORK/unlocked.log"
# 2. The keyring on disk, nobody unlocked it.
timeout 120 dbus-run-session -- bash "$SELF" --phase locked 2>&1 | tee "$WORK/locked.log"
# 3. No session bus.
DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/no-such-bus" timeout 120 bash "$SELF" --phase no-bus 2>&1 |
  tee "$WORK/no-bus.log"
if grep -q 'org.gnome.keyring.SystemPrompter' "$WORK"/*.log; then
  fail "something asked gnome-keyring for a prompt"
fi
[ "$(grep -c '^CALLBACK' "$WORK/browser.log")" = 1 ] || fail "a browser was opened in a failure case"
echo "PASS"

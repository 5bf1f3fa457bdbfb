#!/usr/bin/env bash
# The Secret Service backend against a real gnome-keyring, in every situation a user meets:
# unlocked, locked while in use, never unlocked (a headless login), no session bus, a bus
# without a Secret Service, and a service that never answers. Each situation is its own
# dbus-run-session with its own gnome-keyring-daemon (shared/STACK.md), in a private HOME and
# XDG_RUNTIME_DIR, and runs keyring_secret_service_test with MCPAUTH_KEYRING_TEST_ENV naming it.
#
# It also fails if anything asked gnome-keyring for an unlock prompt (the session bus logs the
# activation of org.gnome.keyring.SystemPrompter): mcpauth must never prompt.
#
# Usage: secret_service_test.sh PATH/TO/keyring_secret_service_test
# Outside CI, a machine without gnome-keyring skips (exit 77); in CI (CI=true) that is a failure:
# scripts/install-deps test installs it.
set -euo pipefail

bin=$1
missing=()
for tool in dbus-run-session dbus-daemon dbus-send gnome-keyring-daemon secret-tool; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${CI:-}" = true ]; then
    echo "secret_service_test: ${missing[*]} missing in CI; scripts/install-deps test installs them" >&2
    exit 1
  fi
  echo "secret_service_test: SKIPPED: ${missing[*]} not installed (scripts/install-deps test)" >&2
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mcpauth-keyring-it-XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_RUNTIME_DIR=$work/run XDG_DATA_HOME=$work/home/.local/share
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
export MCPAUTH_TEST_KEYRING_PASSWORD=keyring-test-password

failed=0

# check NAME LOG: the run passed something, skipped nothing, and asked for no prompt.
check() {
  local name=$1 log=$2
  if ! grep -q '^\[  PASSED  \] [1-9]' "$log"; then
    echo "secret_service_test: $name: no test passed" >&2
    failed=1
  fi
  if grep -q '^\[  SKIPPED \]' "$log"; then
    echo "secret_service_test: $name: tests were skipped" >&2
    failed=1
  fi
  if grep -q 'org.gnome.keyring.SystemPrompter' "$log"; then
    echo "secret_service_test: $name: something asked gnome-keyring for a prompt" >&2
    failed=1
  fi
}

# phase NAME ENV FILTER COMMAND...: runs COMMAND with the test binary's environment set.
phase() {
  local name=$1 env=$2 filter=$3
  shift 3
  local log=$work/$name.log
  local status=0
  echo "=== $name" >&2
  MCPAUTH_KEYRING_TEST_ENV=$env KEYRING_TEST_FILTER=$filter KEYRING_TEST_BIN=$bin \
    timeout 120 "$@" >"$log" 2>&1 || status=$?
  cat "$log" >&2
  if [ "$status" -ne 0 ]; then
    echo "secret_service_test: $name: exit status $status" >&2
    failed=1
  fi
  check "$name" "$log"
}

# The inner commands: start gnome-keyring (unlocked with the password, or not), wait until it
# owns its bus name (the daemon forks and registers in the background; a call before that would
# make the bus start a second one), then run the tests.
wait_for_keyring='for _ in $(seq 200); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
      grep -q "boolean true" && break
    sleep 0.05
  done'
with_unlocked_keyring='eval "$(printf %s "$MCPAUTH_TEST_KEYRING_PASSWORD" |
    gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  '"$wait_for_keyring"'
  exec "$KEYRING_TEST_BIN" --gtest_filter="$KEYRING_TEST_FILTER"'
with_locked_keyring='eval "$(gnome-keyring-daemon --start --components=secrets)"
  export GNOME_KEYRING_CONTROL
  '"$wait_for_keyring"'
  exec "$KEYRING_TEST_BIN" --gtest_filter="$KEYRING_TEST_FILTER"'
run_tests='exec "$KEYRING_TEST_BIN" --gtest_filter="$KEYRING_TEST_FILTER"'

# 1. Unlocked (this also creates the login keyring that phase 3 finds locked).
phase unlocked unlocked 'SecretService/*:SecretServiceUnlockedTest.*' \
  dbus-run-session -- bash -c "$with_unlocked_keyring"

# 2. Locked while in use.
phase lock-in-session lock-in-session 'SecretServiceLockInSessionTest.*' \
  dbus-run-session -- bash -c "$with_unlocked_keyring"

# 3. A keyring on disk that nobody unlocked.
phase locked locked 'SecretServiceLockedTest.*' \
  dbus-run-session -- bash -c "$with_locked_keyring"

# 4. No session bus: a dead socket, then no address at all (nor $XDG_RUNTIME_DIR/bus).
phase no-bus-dead-socket no-bus 'SecretServiceNoBusTest.*' \
  env DBUS_SESSION_BUS_ADDRESS="unix:path=$work/no-such-bus" bash -c "$run_tests"
phase no-bus-unset no-bus 'SecretServiceNoBusTest.*' \
  env -u DBUS_SESSION_BUS_ADDRESS bash -c "$run_tests"

# 5. A session bus that cannot start a Secret Service (no service directories), as on a
#    server reached over SSH.
cat >"$work/bare-bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$work</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
phase no-service no-service 'SecretServiceNoServiceTest.*' \
  dbus-run-session --config-file="$work/bare-bus.conf" -- bash -c "$run_tests"

exit $failed

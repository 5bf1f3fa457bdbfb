# Shared by the `mcpauth` CLI tests against our own server (sourced, not run).
#
# cli_setup BUILD_DIR [SERVER ARGS...]
#   Sets REPO, CLI (BUILD_DIR/bin/mcpauth) and WORK (a fresh directory, removed on exit; on a
#   failure the server's log and the scripted browser's are shown first); adds the user alice
#   with the password $MCPAUTH_TEST_PASSWORD (made up here); starts mcpauth-server with the
#   SERVER ARGS (PORT, URL = its /mcp); writes $WORK/browser.sh, the $BROWSER that signs in as
#   alice through the real forms (test/tools/form_browser.py; the CLI starts $BROWSER without a
#   shell and with its output on /dev/null, so the wrapper keeps that output in
#   $WORK/browser.log). Defines fail MESSAGE.

cli_setup() {
  local build=$1
  shift
  REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  source "$REPO/test/interop/lib.sh"
  CLI="$build/bin/mcpauth"
  WORK=$(mktemp -d)
  trap cli_cleanup EXIT
  export MCPAUTH_TEST_PASSWORD="cli-$RANDOM-$RANDOM-password"
  mkdir -p "$WORK/var"
  printf '%s\n' "$MCPAUTH_TEST_PASSWORD" |
    "$build/bin/mcpauth-server" user add alice --password-stdin --data-dir "$WORK/var" > /dev/null
  start_mcpauth_server "$build" "$WORK" "$@"
  URL="http://127.0.0.1:$PORT/mcp"
  cat > "$WORK/browser.sh" <<WRAP
#!/usr/bin/env bash
exec python3 "$REPO/test/tools/form_browser.py" --user alice "\$1" >> "$WORK/browser.log" 2>&1
WRAP
  chmod +x "$WORK/browser.sh"
  : > "$WORK/browser.log"
}

cli_cleanup() {
  local rc=$?
  stop_mcpauth_server || true
  if [ "$rc" -ne 0 ]; then
    echo "--- server log"; tail -30 "$WORK/server.log" 2>/dev/null || true
    echo "--- browser log"; cat "$WORK/browser.log" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}

fail() { echo "FAIL: $*"; exit 1; }

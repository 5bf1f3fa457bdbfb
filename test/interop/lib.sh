# Shared by the interop scripts (sourced, not run).
#
# start_mcpauth_server BUILD_DIR WORK_DIR [SERVER ARGS...]
#   Starts build/bin/mcpauth-server on 127.0.0.1 port 0 (the OS picks a free port), waits until
#   its log names the port, and sets SERVER_PID and PORT. Exits 1 with the log if it fails.
# stop_mcpauth_server
#   SIGTERM, then waits; returns the server's exit status (0 for a graceful shutdown).
# add_test_user BUILD_DIR WORK_DIR NAME
#   Exports a fresh MCPAUTH_TEST_PASSWORD (what test/tools/form_browser.py signs in with) and
#   adds the user NAME with it to the store in WORK_DIR/var, before the server starts.

start_mcpauth_server() {
  local build=$1 work=$2
  shift 2
  "$build/bin/mcpauth-server" --listen 127.0.0.1:0 --data-dir "$work/var" "$@" \
    > "$work/server.log" 2>&1 &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.1
  done
  echo "mcpauth-server did not start"; cat "$work/server.log"; exit 1
}

stop_mcpauth_server() {
  [ -n "${SERVER_PID:-}" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  local rc=0
  wait "$SERVER_PID" 2>/dev/null || rc=$?
  SERVER_PID=""
  return "$rc"
}

add_test_user() {
  local build=$1 work=$2 name=$3
  export MCPAUTH_TEST_PASSWORD="test-$RANDOM-$RANDOM-$RANDOM-password"
  mkdir -p "$work/var"
  printf '%s\n' "$MCPAUTH_TEST_PASSWORD" |
    "$build/bin/mcpauth-server" user add "$name" --password-stdin --data-dir "$work/var" > /dev/null
}

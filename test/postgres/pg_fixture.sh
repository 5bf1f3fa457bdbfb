#!/usr/bin/env bash
# The ctest fixture `postgres`: `start DIR` gives the tests that require it a fresh PostgreSQL
# at $(pg_url DIR) (their MCPAUTH_TEST_POSTGRES); `stop DIR` ends it and removes DIR.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
action=$1 dir=$2
case "$action" in
  start)
    pg_stop "$dir" || true  # a server left over from an interrupted run
    rm -rf "$dir"
    pg_start "$dir"
    echo "PostgreSQL for the tests: $(pg_url "$dir")"
    ;;
  stop)
    pg_stop "$dir"
    rm -rf "$dir"
    ;;
  *) echo "usage: pg_fixture.sh start|stop DIR" >&2; exit 2 ;;
esac

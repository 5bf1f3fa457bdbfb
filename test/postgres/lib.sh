# A real PostgreSQL 15 in a folder of its own, for tests (sourced, not run).
#
# pg_start DIR   initdb (first time) and start a server listening only on a unix socket in DIR
#                (no TCP port to collide with); as root the server runs as user postgres, since
#                initdb and postgres refuse root (then DIR's parents must let postgres through).
#                Prints nothing; fails with the server log.
# pg_stop DIR    fast shutdown (idempotent)
# pg_url DIR     the libpq URL of that server's `postgres` database
#
# fsync=off: test data need not survive a power cut (see ../shared/STACK.md).

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  echo "PostgreSQL server binaries not found: run scripts/install-deps test" >&2
  return 1
}

# Runs a command as the server's owner.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_url() { echo "postgresql:///postgres?host=$1&port=5432&user=postgres"; }

pg_start() {
  local dir=$1 bin
  bin=$(pg_bindir) || return 1
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
    -o "-p 5432 -k $dir -c listen_addresses= -c fsync=off -c max_connections=200" start \
    > /dev/null || { cat "$dir/log" >&2; return 1; }
}

pg_stop() {
  local dir=$1 bin
  bin=$(pg_bindir) || return 1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null 2>&1 || true
}

#!/usr/bin/env bash
# A throwaway PostgreSQL server for radpath's SQL tests and benchmarks: loopback only, a random free port, a data
# directory under /tmp, run by a non-root user, a random password (scram-sha-256) that is written to a file only.
#
#   scripts/ci_postgres.sh install        # as root: apt-get install postgresql when initdb is missing (CI)
#   scripts/ci_postgres.sh start [DIR]    # prints DIR=..., PORT=..., URL=... (URL without the password),
#                                         # PGPASSFILE=DIR/pgpass (a libpq password file for that URL)
#   scripts/ci_postgres.sh stop DIR       # stops the server and removes DIR
#
# Exit status 3 from `start` means no PostgreSQL binaries were found (tests skip on it). Never contacts another host.
set -euo pipefail

find_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return 0
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

# run a command as the server's (non-root) user
as_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

pick_user() {
  if [ "$(id -u)" != 0 ]; then PG_USER=$(id -un); return; fi
  if id postgres >/dev/null 2>&1; then PG_USER=postgres; else PG_USER=nobody; fi
}

free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

cmd=${1:-}
case "$cmd" in
  install)
    if find_bindir >/dev/null; then echo "postgresql already installed: $(find_bindir)"; exit 0; fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "postgresql is not installed and cannot be installed here (needs root and apt-get); the PostgreSQL tests will be skipped" >&2
      exit 0
    fi
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null) \
      || echo "could not install postgresql; the PostgreSQL tests will be skipped" >&2
    ;;
  start)
    bindir=$(find_bindir) || { echo "PostgreSQL binaries (initdb, pg_ctl) not found; install the postgresql package" >&2; exit 3; }
    pick_user
    dir=${2:-$(mktemp -d /tmp/radpath-pg.XXXXXX)}
    mkdir -p "$dir"
    chmod 700 "$dir"
    password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
    port=$(free_port)
    printf '%s\n' "$password" > "$dir/pwfile"
    printf '127.0.0.1:%s:*:radpath:%s\n' "$port" "$password" > "$dir/pgpass"
    chmod 600 "$dir/pwfile" "$dir/pgpass"
    if [ "$(id -u)" = 0 ]; then chown -R "$PG_USER" "$dir"; fi
    as_user "$bindir/initdb" -D "$dir/data" -U radpath --pwfile="$dir/pwfile" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_user "$bindir/initdb" -D "$dir/data" -U radpath --pwfile="$dir/pwfile" --auth=scram-sha-256 \
           --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    as_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    PGPASSFILE="$dir/pgpass" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U radpath radpath
    if [ "$(id -u)" = 0 ]; then chown root "$dir/pgpass"; fi
    echo "DIR=$dir"
    echo "PORT=$port"
    echo "URL=postgresql+psycopg://radpath@127.0.0.1:$port/radpath"
    echo "PGPASSFILE=$dir/pgpass"
    ;;
  stop)
    dir=${2:?usage: ci_postgres.sh stop DIR}
    bindir=$(find_bindir) || exit 0
    pick_user
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    case "$dir" in /tmp/*) rm -rf "$dir" ;; esac
    ;;
  *)
    echo "usage: $0 install | start [DIR] | stop DIR" >&2
    exit 2
    ;;
esac

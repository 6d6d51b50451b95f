#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and the quickstart.
#   pg.sh start DIR   initdb + start on 127.0.0.1 and a free port; writes DIR/pg.env
#   pg.sh stop DIR    stop the cluster and remove its data
# initdb and pg_ctl refuse root, so they run as the `postgres` OS user.
# DIR/pg.env holds RS_TEST_PG_DSN (superuser, password auth over TCP),
# RS_TEST_PG_HOST, RS_TEST_PG_PORT, RS_TEST_PG_USER, RS_TEST_PG_PASSWORD.
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop DIR}
dir=${2:?usage: pg.sh start|stop DIR}
pgbin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$pgbin/initdb" ] || { echo "pg.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
  mkdir -p "$dir"
  if [ -f "$dir/pg.env" ] && [ -f "$dir/pg.datadir" ]; then
    "$0" stop "$dir" || true
  fi
  data_root=$(mktemp -d /tmp/rs-pg.XXXXXX)
  chmod 755 "$data_root"
  password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  printf '%s\n' "$password" > "$data_root/pwfile"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$data_root"; fi
  as_postgres "$pgbin/initdb" -D "$data_root/data" -U postgres --pwfile="$data_root/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$data_root/initdb.log" 2>&1 \
    || { cat "$data_root/initdb.log" >&2; exit 1; }
  rm -f "$data_root/pwfile"
  port=""
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_postgres "$pgbin/pg_ctl" -D "$data_root/data" -l "$data_root/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $data_root -c fsync=off -c max_connections=200" start >/dev/null; then
      break
    fi
    port=""
  done
  [ -n "$port" ] || { cat "$data_root/server.log" >&2; echo "pg.sh: could not start PostgreSQL" >&2; exit 1; }
  echo "$data_root" > "$dir/pg.datadir"
  cat > "$dir/pg.env" <<ENV
RS_TEST_PG_HOST=127.0.0.1
RS_TEST_PG_PORT=$port
RS_TEST_PG_USER=postgres
RS_TEST_PG_PASSWORD=$password
RS_TEST_PG_DSN=postgresql://postgres:$password@127.0.0.1:$port/postgres
ENV
  echo "pg.sh: PostgreSQL listening on 127.0.0.1:$port (data in $data_root)"
  ;;
stop)
  if [ -f "$dir/pg.datadir" ]; then
    data_root=$(cat "$dir/pg.datadir")
    as_postgres "$pgbin/pg_ctl" -D "$data_root/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$data_root"
    rm -f "$dir/pg.datadir" "$dir/pg.env"
  fi
  ;;
*) echo "usage: pg.sh start|stop DIR" >&2; exit 2 ;;
esac

# A throwaway PostgreSQL server for the tests: its own data directory, a unix socket and a
# loopback port, gone after the run. Sourced by scripts/test and .ci/run.

pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return 0
  fi
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

install_postgres() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing PostgreSQL (Debian package)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
}

free_port() {
  .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_test_postgres() {
  if [ -n "${TEST_POSTGRES_URL:-}" ]; then
    return 0 # the caller brought its own server
  fi
  local bindir
  bindir="$(pg_bindir)" || { install_postgres; bindir="$(pg_bindir)"; } || return 1
  PG_TEST_DIR="$(mktemp -d /tmp/secure-base-pg.XXXXXX)"
  PG_TEST_PORT="$(free_port)"
  local as_user=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root; the Debian package creates the postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --home "$PG_TEST_DIR" postgres
    chown postgres "$PG_TEST_DIR"
    as_user=(runuser -u postgres --)
  fi
  "${as_user[@]}" "$bindir/initdb" -D "$PG_TEST_DIR/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
  "${as_user[@]}" "$bindir/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/log" -w -o \
    "-p $PG_TEST_PORT -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    start >/dev/null
  PG_TEST_CTL=("${as_user[@]}" "$bindir/pg_ctl" -D "$PG_TEST_DIR/data")
  export TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_TEST_PORT/postgres"
  echo "==> PostgreSQL for tests on 127.0.0.1:$PG_TEST_PORT" >&2
}

stop_test_postgres() {
  if [ -n "${PG_TEST_DIR:-}" ]; then
    "${PG_TEST_CTL[@]}" stop -m fast >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
  fi
}

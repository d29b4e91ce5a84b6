#!/usr/bin/env bash
# Start a throw-away PostgreSQL on 127.0.0.1 in a temporary folder, run the given command with DATABASE_URL
# pointing at it, and remove it afterwards. Uses Debian's PostgreSQL 15 binaries.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [[ -z "$PGBIN" ]]; then
  echo "PostgreSQL server binaries not found; installing postgresql"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi
PORT=${LLRC_PG_PORT:-55432}
# PostgreSQL's own default (128MB) unless asked: tests need little; bench/postgres.py at a million records
# is run with 1GB, what a server would set (docs/operations/settings.md, "PostgreSQL").
BUFFERS=${LLRC_PG_SHARED_BUFFERS:+-c shared_buffers=$LLRC_PG_SHARED_BUFFERS}
DIR=$(mktemp -d /tmp/llrc-pg.XXXXXX)
chown postgres "$DIR" 2>/dev/null || true
RUN_AS=()
if [[ $(id -u) == 0 ]]; then RUN_AS=(runuser -u postgres --); fi
cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U llrc --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off $BUFFERS" -l "$DIR/log" -w start >/dev/null
export DATABASE_URL="postgresql://llrc@127.0.0.1:$PORT/postgres"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"

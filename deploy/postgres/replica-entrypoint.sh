#!/bin/sh
# A streaming hot standby of PRIMARY_HOST. On its first start (empty PGDATA) it clones the
# primary with pg_basebackup -R (which writes primary_conninfo and standby.signal); after that it
# just starts and catches up. Runs as the postgres user.
set -eu
: "${PGDATA:?PGDATA must be set}"
: "${PRIMARY_HOST:?PRIMARY_HOST must be set}"
: "${POSTGRES_REPLICATION_PASSWORD:?POSTGRES_REPLICATION_PASSWORD must be set}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "replica: waiting for $PRIMARY_HOST:$PRIMARY_PORT"
  until pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; do sleep 1; done
  # A clone cut short leaves a partial directory behind: start from nothing.
  rm -rf "$PGDATA"
  echo "replica: cloning $PRIMARY_HOST:$PRIMARY_PORT into $PGDATA"
  PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD" pg_basebackup \
    -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U replicator \
    -D "$PGDATA" -X stream -R --checkpoint=fast
  chmod 700 "$PGDATA"
fi

exec postgres -c hot_standby=on -c hot_standby_feedback=on "$@"

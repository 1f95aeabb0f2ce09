#!/bin/sh
# The synchronous streaming standby of PRIMARY_HOST (postgres:15 image, service
# "postgres-standby"). On its first start (empty PGDATA) it clones the primary with
# pg_basebackup -R, which writes primary_conninfo (with application_name=STANDBY_NAME, the name
# the primary's synchronous_standby_names lists) and standby.signal; after that it just starts
# and catches up. cluster_name is set to the same name: it is the walreceiver's application_name
# whenever primary_conninfo has none. Runs as the postgres user.
#
# Promoted (pg_ctl promote), it stays a primary across restarts (standby.signal is gone).
set -eu
: "${PGDATA:?PGDATA must be set}"
: "${PRIMARY_HOST:?PRIMARY_HOST must be set}"
: "${STANDBY_NAME:?STANDBY_NAME must be set}"
: "${POSTGRES_REPLICATION_PASSWORD:?POSTGRES_REPLICATION_PASSWORD must be set}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "standby: waiting for $PRIMARY_HOST:$PRIMARY_PORT"
  until pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; do sleep 1; done
  # A clone cut short leaves a partial directory behind: start from nothing.
  rm -rf "$PGDATA"
  echo "standby: cloning $PRIMARY_HOST:$PRIMARY_PORT into $PGDATA as $STANDBY_NAME"
  PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD" pg_basebackup \
    -d "host=$PRIMARY_HOST port=$PRIMARY_PORT user=replicator application_name=$STANDBY_NAME" \
    -D "$PGDATA" -X stream -R --checkpoint=fast
  chmod 700 "$PGDATA"
fi

exec postgres -c hot_standby=on -c hot_standby_feedback=on -c "cluster_name=$STANDBY_NAME" "$@"

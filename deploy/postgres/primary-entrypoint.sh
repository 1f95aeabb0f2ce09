#!/bin/sh
# The primary's entrypoint (postgres:15 image, service "postgres"): the image's own, with one
# difference for the first start. The primary's command line sets synchronous_standby_names, and
# when the data directory is empty the image initialises it through a temporary server started
# with that same command line (CREATE DATABASE, then /docker-entrypoint-initdb.d) while no
# standby exists yet: every commit would wait for ever. Those clients are psql, which reads
# PGOPTIONS, so they commit without waiting for a standby. The server ignores PGOPTIONS, and the
# variable is set for this process tree only: `docker compose exec` sessions and the
# application's connections still wait for the standby.
set -eu
export PGOPTIONS="-c synchronous_commit=local"
exec docker-entrypoint.sh "$@"

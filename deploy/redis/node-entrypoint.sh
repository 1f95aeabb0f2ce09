#!/bin/sh
# One Redis node of the Sentinel set (redis:7 image). The config is written anew at each start
# from the environment: REDIS_PASSWORD, REDIS_HOSTNAME (the name the node announces), and
# REDIS_REPLICA_OF (the master's host name) on the nodes that start as replicas. After a failover
# a node that restarts with a stale role is corrected by the sentinels.
set -eu
: "${REDIS_PASSWORD:?REDIS_PASSWORD must be set}"
: "${REDIS_HOSTNAME:?REDIS_HOSTNAME must be set}"
conf=/data/redis.conf
{
  echo "port 6379"
  echo "dir /data"
  echo "requirepass $REDIS_PASSWORD"
  echo "masterauth $REDIS_PASSWORD"
  echo "replica-announce-ip $REDIS_HOSTNAME"
  if [ -n "${REDIS_REPLICA_OF:-}" ]; then
    echo "replicaof $REDIS_REPLICA_OF 6379"
  fi
} > "$conf"
chmod 600 "$conf"
# The image's entrypoint hands /data to the redis user and drops root.
exec docker-entrypoint.sh redis-server "$conf"

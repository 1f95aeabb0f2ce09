#!/bin/sh
# One node of the Redis Cluster of docker-compose.prod.yml (redis:7 image, services redis-1 to
# redis-6). The config is written anew at each start from the environment: REDIS_PASSWORD (the
# clients' password and the one replicas give their primary) and REDIS_HOSTNAME (the name the
# node announces to clients: CLUSTER SLOTS and MOVED redirects carry it, so the application
# containers reach each node by its compose name). The node's view of the cluster (its id, its
# peers, its slots) is Redis's own file, /data/nodes.conf, kept in the node's volume: a node
# that restarts comes back as the same member, and finds its peers again at the fixed addresses
# the compose file gives them (the cluster bus goes by address, not by name). The cluster is
# formed once, by the redis-cluster-init service (deploy/redis/cluster-init.sh).
#
# Redis is the seat cache here (PostgreSQL decides): nothing is written to disk but nodes.conf.
set -eu
: "${REDIS_PASSWORD:?REDIS_PASSWORD must be set}"
: "${REDIS_HOSTNAME:?REDIS_HOSTNAME must be set}"
conf=/data/redis.conf
{
  echo "port 6379"
  echo "dir /data"
  echo "requirepass $REDIS_PASSWORD"
  echo "masterauth $REDIS_PASSWORD"
  echo 'save ""'
  echo "appendonly no"
  echo "cluster-enabled yes"
  echo "cluster-config-file nodes.conf"
  # A primary unreachable this long is replaced by its replica (a few seconds more).
  echo "cluster-node-timeout ${REDIS_CLUSTER_NODE_TIMEOUT_MS:-5000}"
  # A replica may always replace its primary, however long it was cut off: it is a cache.
  echo "cluster-replica-validity-factor 0"
  # A shard with neither node up leaves only its own slots unserved, not the whole cluster.
  echo "cluster-require-full-coverage no"
  echo "cluster-announce-hostname $REDIS_HOSTNAME"
  echo "cluster-preferred-endpoint-type hostname"
} > "$conf"
chmod 600 "$conf"
# The image's entrypoint hands /data to the redis user and drops root.
exec docker-entrypoint.sh redis-server "$conf"

#!/bin/sh
# One Redis Sentinel (redis:7 image) watching the master set "booking", first redis-1.
# Sentinel rewrites its own config as it learns (replicas, other sentinels, the current master
# after a failover), so the file is written only when the volume has none. To change
# REDIS_PASSWORD later: SENTINEL SET booking auth-pass NEW on each sentinel, or remove the
# sentinels' volumes.
set -eu
: "${REDIS_PASSWORD:?REDIS_PASSWORD must be set}"
: "${SENTINEL_HOSTNAME:?SENTINEL_HOSTNAME must be set}"
conf=/data/sentinel.conf
if [ ! -s "$conf" ]; then
  cat > "$conf" <<CONF
port 26379
dir /data
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $SENTINEL_HOSTNAME
sentinel monitor booking ${REDIS_MASTER_HOST:-redis-1} 6379 ${SENTINEL_QUORUM:-2}
sentinel auth-pass booking $REDIS_PASSWORD
sentinel down-after-milliseconds booking 5000
sentinel failover-timeout booking 30000
sentinel parallel-syncs booking 1
CONF
  chmod 600 "$conf"
fi
exec docker-entrypoint.sh redis-server "$conf" --sentinel

#!/bin/sh
# Forms the Redis Cluster of docker-compose.prod.yml (one-shot service redis-cluster-init,
# redis:7 image): 3 primaries with one replica each, out of the six nodes in
# REDIS_CLUSTER_NODES ("host:port host:port ..."). Safe to run at every `docker compose up`:
#   - every node empty (no slot assigned, knows only itself): creates the cluster
#     (redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes);
#   - every node already in the cluster: creates nothing;
#   - some nodes empty and the others in a cluster (a node lost its volume, or a create was cut
#     short): changes nothing, says what it found and fails.
# Then it waits until every node reports cluster_state:ok and exits 0 (the application starts
# after it), or 1 when that takes over REDIS_CLUSTER_WAIT_SECONDS (120).
# The password comes in REDISCLI_AUTH, which redis-cli reads (so it is not in the process list).
set -eu
: "${REDISCLI_AUTH:?REDISCLI_AUTH must be set (the nodes password)}"
: "${REDIS_CLUSTER_NODES:?REDIS_CLUSTER_NODES must be set (host:port host:port ...)}"
wait_seconds="${REDIS_CLUSTER_WAIT_SECONDS:-120}"

log() { echo "redis-cluster-init: $*" >&2; }

# redis-cli against one node: node_cli HOST:PORT ARGS...
node_cli() {
  _node="$1"
  shift
  redis-cli -h "${_node%:*}" -p "${_node##*:}" "$@"
}

# One field of the node's CLUSTER INFO; empty when it does not answer.
info_field() {
  node_cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

deadline=$(($(date +%s) + wait_seconds))
past_deadline() { [ "$(date +%s)" -ge "$deadline" ]; }

first=""
for node in $REDIS_CLUSTER_NODES; do
  [ -n "$first" ] || first="$node"
  until [ "$(node_cli "$node" ping 2>/dev/null)" = PONG ]; do
    if past_deadline; then
      log "$node does not answer PING"
      exit 1
    fi
    sleep 1
  done
done

empty=""
members=""
for node in $REDIS_CLUSTER_NODES; do
  if [ "$(info_field "$node" cluster_slots_assigned)" = 0 ] &&
    [ "$(info_field "$node" cluster_known_nodes)" = 1 ]; then
    empty="$empty $node"
  else
    members="$members $node"
  fi
done

if [ -z "$members" ]; then
  # CLUSTER MEET takes addresses, not names: each is resolved here.
  addresses=""
  for node in $REDIS_CLUSTER_NODES; do
    ip="$(getent hosts "${node%:*}" | sed -n '1s/[[:space:]].*//p')"
    if [ -z "$ip" ]; then
      log "cannot resolve ${node%:*}"
      exit 1
    fi
    addresses="$addresses $ip:${node##*:}"
  done
  log "creating the cluster:$addresses"
  # One word per address (the list has no other spaces).
  # shellcheck disable=SC2086
  redis-cli --cluster create $addresses --cluster-replicas 1 --cluster-yes
  deadline=$(($(date +%s) + wait_seconds))
elif [ -n "$empty" ]; then
  log "in a cluster:$members"
  log "empty:$empty"
  log "changed nothing. An empty node that replaces a lost one joins as a replica with"
  log "  redis-cli --cluster add-node NEW_IP:6379 MEMBER_IP:6379 --cluster-slave"
  log "after CLUSTER FORGET <the lost node's id> on every member (see CLUSTER NODES);"
  log "to start the whole cache afresh, remove the six nodes' volumes instead."
  exit 1
else
  log "the cluster exists already; nothing to create"
fi

while :; do
  failing=""
  for node in $REDIS_CLUSTER_NODES; do
    [ "$(info_field "$node" cluster_state)" = ok ] || failing="$failing $node"
  done
  if [ -z "$failing" ]; then
    log "cluster_state:ok on every node"
    exit 0
  fi
  if past_deadline; then
    log "cluster_state is not ok on:$failing"
    node_cli "$first" cluster nodes >&2 || true
    exit 1
  fi
  sleep 1
done

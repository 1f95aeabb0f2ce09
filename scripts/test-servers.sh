# Sourced by scripts/browser-tests and scripts/openapi-tests: BookingServers of the debug build
# on the test stores, each on a free loopback port, stopped by their pids when the script exits.
# The sourcing script sets BIN (the debug build's folder), WORK (a scratch folder, removed at
# exit), ADMIN_TOKEN and SERVERS_NAME (its own name, for messages), and evaluates
# `scripts/services env` first.

server_pids=()

stop_test_servers() {
  for pid in "${server_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${server_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap stop_test_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# Starts a server on a free port (extra environment as arguments) and sets `url` once it serves.
# Not in a command substitution: its pid must reach `server_pids` in this shell, for the cleanup.
start_server() {
  local port log
  port="$(free_port)"
  log="$WORK/server-$port.log"
  env HOST=127.0.0.1 PORT="$port" DATABASE_URL="$TEST_DATABASE_URL" REDIS_URL="$TEST_REDIS_URL" AMQP_URL="$TEST_AMQP_URL" \
    ADMIN_TOKEN="$ADMIN_TOKEN" RATE_LIMIT_PER_USER=0 LOG_LEVEL=warning DATABASE_POOL_SIZE=8 "$@" \
    "$BIN/BookingServer" >"$log" 2>&1 &
  server_pids+=("$!")
  for _ in $(seq 200); do
    curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && { url="http://127.0.0.1:$port"; return 0; }
    kill -0 "${server_pids[-1]}" 2>/dev/null || { cat "$log" >&2; echo "$SERVERS_NAME: BookingServer exited" >&2; exit 1; }
    sleep 0.1
  done
  cat "$log" >&2
  echo "$SERVERS_NAME: BookingServer did not serve within 20 s" >&2
  exit 1
}

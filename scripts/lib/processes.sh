# Sourced by scripts/services and scripts/redis-cluster: processes known by their pid files.
# The sourcing script defines die() and STOP_TIMEOUT (seconds).

# True when process PID exists and has not exited. An exited child stays a zombie until its
# parent reaps it, which a minimal container init (pid 1) may take seconds to do.
proc_live() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat%% *}" != Z ]
}

# True when the pid in FILE is a live process whose command name is NAME, so that a stale pid
# file whose number was reused by another process is never mistaken for (or killed as) ours.
pid_alive() {
  local file="$1" name="$2" pid
  [ -s "$file" ] || return 1
  pid="$(pid_of "$file")"
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] && proc_live "$pid"
}
# The pid in FILE, or nothing (a server may remove its pid file at any moment).
pid_of() { head -n1 "$1" 2>/dev/null | tr -dc 0-9 || true; }

# Waits until the process PID has exited, failing after STOP_TIMEOUT seconds.
wait_gone() {
  local pid="$1" what="$2" i
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    proc_live "$pid" || return 0
    sleep 0.1
  done
  die "$what (pid $pid) did not exit within ${STOP_TIMEOUT}s"
}

# Replaces the shell with "$@", run without the caller's blocked signals, ignored signals and
# descriptors beyond 0-2. A daemon started by a process that blocks SIGTERM in its threads (a
# test runner) would otherwise ignore the SIGTERM that stops it, and one that inherits a pipe or
# socket would keep whoever waits on it waiting until the daemon exits.
exec_clean() {
  exec python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_SETMASK, [])
for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE):
    signal.signal(number, signal.SIG_DFL)
os.closerange(3, os.sysconf("SC_OPEN_MAX"))
os.execv(sys.argv[1], sys.argv[1:])' "$@"
}

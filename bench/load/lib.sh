# shellcheck shell=bash
# bench/load/lib.sh: what run.sh, forward.sh and soak.sh share. Sourced, never run. Every process started through
# start_pinned is recorded; stop_started stops those and nothing else.

# The names below are read by the scripts that source this file.
# shellcheck disable=SC2034
{
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"  # bench/load
ROOT="$(cd "$HERE/../.." && pwd -P)"                      # the repository
JAR="${SLUICE_JAR:-$ROOT/proxy/target/sluice.jar}"  # SLUICE_JAR: measure another build (e.g. a before jar)
SLUICE_BUILD=(./mvnw -B -q -DskipTests -pl proxy -am package)  # makes JAR, run in ROOT
PROXY_CPU=0  # the proxy being measured
LOAD_CPU=1   # the origin, wrk and the other clients
LAST_PID=""  # the PID start_pinned started last
}
STARTED=()            # every PID start_pinned started, in start order
declare -A STOPPED=() # PIDs already stopped and reaped (never signalled again: the number may be reused)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }  # MESSAGE...: to stderr, after the time of day

# require_tools SCRIPT HINT TOOL...: exits 2 naming the first TOOL not installed (with HINT, if not empty)
require_tools() {
  local script="$1" hint="$2" tool
  shift 2
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$script: needs $tool${hint:+ ($hint)}" >&2; exit 2; }
  done
}

build_jar() { (cd "$ROOT" && "${SLUICE_BUILD[@]}"); }  # builds JAR from the working tree, without the tests

# new_run_dir PARENT PREFIX: makes and prints PARENT/PREFIX.XXXXXX, open to the users nginx workers, Squid and
# tinyproxy drop to
new_run_dir() {
  local dir
  dir="$(mktemp -d "$1/$2.XXXXXX")" && chmod 755 "$dir" && echo "$dir"
}

# start_pinned CPU CMD...: starts CMD in the background on CPU; its PID goes to LAST_PID and STARTED
start_pinned() {
  local cpu="$1"
  shift
  taskset -c "$cpu" "$@" &
  LAST_PID=$!
  STARTED+=("$LAST_PID")
}

alive() { # PID: running and not a zombie
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z ]]
}

stop_pid() { # PID: SIGTERM, up to 15 s to exit, then SIGKILL
  local pid="$1" i
  [[ -n "${STOPPED[$pid]:-}" ]] && return 0
  STOPPED[$pid]=1
  alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    log "process $pid did not stop within 15 s of SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# reap PID: waits for a started process that ends by itself and returns its status; stop_pid then leaves it be
reap() {
  local rc=0
  wait "$1" || rc=$?
  STOPPED[$1]=1
  return "$rc"
}

stop_started() { # stop_pid on every PID in STARTED, the newest first
  local i
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    stop_pid "${STARTED[$i]}"
  done
}

# origin_nginx_conf DIR PORT CONNECTIONS LOCATION [HTTP_DIRECTIVE]: DIR/nginx.conf, a one-worker nginx in the
# foreground on 127.0.0.1:PORT with no access log that serves LOCATION; pid and error log in DIR
origin_nginx_conf() {
  cat >"$1/nginx.conf" <<CONF
worker_processes 1;
pid $1/nginx.pid;
error_log $1/nginx-error.log;
daemon off;
events { worker_connections $3; }
http {
  access_log off;${5:+
  $5}
  server { listen 127.0.0.1:$2; keepalive_requests 1000000;
    $4
  }
}
CONF
}

# squid_user_line DIR: as root, hands DIR to the user proxy and prints the squid.conf line that makes Squid drop to it
squid_user_line() {
  if ((EUID == 0)) && chown -R proxy:proxy "$1" 2>/dev/null; then echo "cache_effective_user proxy"; fi
}

# squid_housekeeping DIR LOG_PREFIX HOSTNAME: squid.conf lines for a bench Squid: no cache, logs and pid in DIR,
# no ICP, HTCP, pinger or netdb, DNS on loopback only, a one-second shutdown
squid_housekeeping() {
  cat <<CONF
cache deny all
cache_mem 8 MB
access_log stdio:$1/${2}access.log
cache_log $1/${2}cache.log
cache_store_log none
pid_filename $1/squid.pid
coredump_dir $1
netdb_filename none
logfile_rotate 0
pinger_enable off
icp_port 0
htcp_port 0
dns_nameservers 127.0.0.1
visible_hostname $3
shutdown_lifetime 1 seconds
CONF
}

# finish_run: the EXIT trap of a script that keeps its files in RUN (KEEP_RUN=1 keeps them): stops every process
# it started and deletes RUN, unless the script failed (then RUN is kept for a look)
finish_run() {
  local rc=$?
  trap - EXIT INT TERM
  stop_started
  if [[ -n "${RUN:-}" && -d "$RUN" ]]; then
    if [[ "${KEEP_RUN:-0}" == 1 || $rc -ne 0 ]]; then log "run folder kept: $RUN"; else rm -rf "$RUN"; fi
  fi
  exit "$rc"
}

listening() { [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }  # PORT: something listens on it

# await_port PORT PID SECONDS: until PORT listens; fails if PID ends or time runs out
await_port() {
  local deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    alive "$2" || return 1
    listening "$1" && return 0
    sleep 0.2
  done
  return 1
}

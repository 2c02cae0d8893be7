#!/usr/bin/env bash
# bench/load/run.sh: one-session load comparison of Sluice against direct access, nginx, HAProxy, Squid and
# tinyproxy on this machine. See bench/load/README.md.
#
#   bench/load/run.sh [--quick] [--skip-missing]
#
# Env knobs: SERVERS (which servers, in table order: "direct sluice nginx haproxy squid tinyproxy", with
# sluice-before after sluice when SLUICE_BEFORE_JAR is set), WORKLOADS (which workloads: "get64 get64r10 getv6
# post64k post1m get1000"), SLUICE_BEFORE_JAR (a second Sluice jar, run exactly as "sluice" as the server
# "sluice-before"), DURATION (s per repetition, 10), WARMUP (s, 5), REPS (3), PRIME (s, 20), PORT_BASE (28100),
# RULE_COUNTS ("10 1000 10000"), IDLE_COUNTS ("64 1000 10000"), SKIP_GROWTH (0), ORIGIN_UPLOAD (read|discard),
# NGINX_REQUEST_BUFFERING (on|off), SLUICE_UPSTREAM_POOL (gateway.upstream.maxConnectionsPerLoop; empty:
# Sluice's default), SLUICE_JAVA_OPTS (heap and other JVM options for Sluice; "-Xms256m -Xmx256m"), KEEP_RUN (0: delete
# the temporary run folder at the end), RUN_PARENT (where the run folder goes: /dev/shm if it has room, else
# /tmp), RESULTS_DIR (bench/results).
#
# Installs nothing. Proxies run pinned to CPU 0, the origin, wrk and helpers to CPU 1. Only 127.0.0.1 is used.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RESULTS_DIR="${RESULTS_DIR:-$ROOT/bench/results}"

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-5}"
REPS="${REPS:-3}"
PRIME="${PRIME:-20}"
PORT_BASE="${PORT_BASE:-28100}"
RULE_COUNTS="${RULE_COUNTS:-10 1000 10000}"
IDLE_COUNTS="${IDLE_COUNTS:-64 1000 10000}"
SKIP_GROWTH="${SKIP_GROWTH:-0}"
KEEP_RUN="${KEEP_RUN:-0}"
ORIGIN_UPLOAD="${ORIGIN_UPLOAD:-read}"
SLUICE_UPSTREAM_POOL="${SLUICE_UPSTREAM_POOL:-}"
SLUICE_JAVA_OPTS="${SLUICE_JAVA_OPTS:--Xms256m -Xmx256m}"
NGINX_REQUEST_BUFFERING="${NGINX_REQUEST_BUFFERING:-on}"
PAUSE=0.5  # seconds between two runs
SKIP_MISSING=0

WANT_NOFILE=30000
PORTS=32  # the block of ports on 127.0.0.1 from PORT_BASE on: servers, extra Sluice instances, the origin's sink
WRK_TIMEOUT=5s

SLUICE_BEFORE_JAR="${SLUICE_BEFORE_JAR:-}"
SERVERS_ENV="${SERVERS:-}"     # the env knobs SERVERS and WORKLOADS (words); the arrays below replace them
WORKLOADS_ENV="${WORKLOADS:-}"
# Every server there is, in table order. "direct" is wrk straight to the origin; "sluice-before" is Sluice from
# SLUICE_BEFORE_JAR. SERVERS (env) picks some of them and their order.
ALL_SERVERS=(direct sluice sluice-before nginx haproxy squid tinyproxy)
# Workloads: id, description, path, connections, body file name (empty: GET), Sluice's policy (empty: one rule,
# "rN": N rules of which the first N-1 do not match, "v6": examples/vantage6.yaml).
ALL_WORKLOADS=(get64 get64r10 getv6 post64k post1m get1000)
V6_PATH="/result?task_id=41&page=1"  # vantage6's AlgorithmClient.result.from_task(41): rule 10 of 14
declare -A WL_DESC=(
  [get64]="GET /api/small, 64 connections"
  [get64r10]="GET /api/small, 64 connections, Sluice with 10 rules"
  [getv6]="GET $V6_PATH, 64 connections, Sluice with the vantage6 example policy"
  [post64k]="POST 64 KiB to /api/upload, 32 connections"
  [post1m]="POST 1 MiB to /api/upload, 8 connections"
  [get1000]="GET /api/small, 1,000 keep-alive connections")
declare -A WL_PATH=([get64]=/api/small [get64r10]=/api/small [getv6]="$V6_PATH" [post64k]=/api/upload
                    [post1m]=/api/upload [get1000]=/api/small)
declare -A WL_CONNS=([get64]=64 [get64r10]=64 [getv6]=64 [post64k]=32 [post1m]=8 [get1000]=1000)
declare -A WL_BODY=([get64]="" [get64r10]="" [getv6]="" [post64k]=body-64k.bin [post1m]=body-1m.bin [get1000]="")
declare -A WL_POLICY=([get64r10]=r10 [getv6]=v6)
# The policy workloads compare Sluice with the servers that have no policy at all, on the same GET; Squid and
# tinyproxy add nothing to that comparison and sit them out.
POLICY_PEERS=" direct nginx haproxy "
SERVERS=()
WORKLOADS=()

declare -A PORT=()    # server or instance name -> port on 127.0.0.1
declare -A PID=()     # name -> PID of the process (tree) to measure and stop
declare -A STATUS=()  # server -> ok | not installed | failed: reason
declare -A ACCESS_LOG=()
declare -A MISSING=()
declare -A SLUICE_RULES=() SLUICE_IDLE=()  # Sluice instance -> its policy size and idle timeout (to restart it)
declare -A SLUICE_JAR=()      # Sluice instance -> its jar (JAR, or SLUICE_BEFORE_JAR for sluice-before's)
declare -A SLUICE_POLICY=()   # Sluice instance -> "v6" for examples/vantage6.yaml (else SLUICE_RULES applies)
declare -A CHECK_PATH=()      # instance -> the path its start and restart checks GET (default /api/small)
RUN=""
PY=""
CSV=""
META=""
ORIGIN_PORT=""

die() { log "error: $*"; exit 1; }

usage() { # the comment block at the top of this file
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
}

parse_args() {
  while (($#)); do
    case "$1" in
      --quick) DURATION=3 WARMUP=1 REPS=1 PRIME=2 ;;
      --skip-missing) SKIP_MISSING=1 ;;
      -h|--help) usage; exit 0 ;;
      *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
  done
  local v
  for v in DURATION WARMUP REPS PRIME PORT_BASE; do
    [[ "${!v}" =~ ^[0-9]+$ && "${!v}" -gt 0 ]] || { echo "$v must be a positive whole number" >&2; exit 2; }
  done
  [[ "$ORIGIN_UPLOAD" == read || "$ORIGIN_UPLOAD" == discard ]] || { echo "ORIGIN_UPLOAD must be read or discard" >&2; exit 2; }
  [[ "$NGINX_REQUEST_BUFFERING" == on || "$NGINX_REQUEST_BUFFERING" == off ]] || { echo "NGINX_REQUEST_BUFFERING must be on or off" >&2; exit 2; }
  [[ -z "$SLUICE_UPSTREAM_POOL" || "$SLUICE_UPSTREAM_POOL" =~ ^[0-9]+$ ]] || { echo "SLUICE_UPSTREAM_POOL must be a whole number" >&2; exit 2; }
  if [[ -n "$SLUICE_BEFORE_JAR" ]]; then
    [[ -f "$SLUICE_BEFORE_JAR" ]] || { echo "SLUICE_BEFORE_JAR: no such file: $SLUICE_BEFORE_JAR" >&2; exit 2; }
    SLUICE_BEFORE_JAR="$(cd "$(dirname "$SLUICE_BEFORE_JAR")" && pwd -P)/$(basename "$SLUICE_BEFORE_JAR")"
  fi
  pick_list SERVERS "${SERVERS_ENV:-}" "${ALL_SERVERS[*]}"
  if [[ -z "${SERVERS_ENV:-}" && -z "$SLUICE_BEFORE_JAR" ]]; then
    local kept=() x
    for x in "${SERVERS[@]}"; do [[ "$x" == sluice-before ]] || kept+=("$x"); done
    SERVERS=("${kept[@]}")
  fi
  if [[ " ${SERVERS[*]} " == *" sluice-before "* && -z "$SLUICE_BEFORE_JAR" ]]; then
    echo "SERVERS names sluice-before: set SLUICE_BEFORE_JAR to the jar it runs" >&2; exit 2
  fi
  pick_list WORKLOADS "${WORKLOADS_ENV:-}" "${ALL_WORKLOADS[*]}"
}

# pick_list ARRAY CHOICE ALL: sets ARRAY to the words of CHOICE (in its order; each must be one of ALL), or to ALL
# when CHOICE is empty; exits 2 on an unknown or repeated word
pick_list() {
  local -n picked="$1"
  local word seen=" "
  picked=()
  for word in ${2:-$3}; do
    [[ " $3 " == *" $word "* ]] || { echo "$1: unknown name '$word' (one of: $3)" >&2; exit 2; }
    [[ "$seen" != *" $word "* ]] || { echo "$1: '$word' named twice" >&2; exit 2; }
    seen+="$word "
    picked+=("$word")
  done
  ((${#picked[@]})) || { echo "$1: name at least one of: $3" >&2; exit 2; }
}

# ---------------------------------------------------------------------------------------------------------
# tools

java_major() {
  local v
  v="$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  if [[ "$v" =~ ^1\.([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"
  elif [[ "$v" =~ ^([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"
  else echo 0; fi
}

# Checks every tool that the chosen SERVERS need; prints each missing one with the Debian command that provides it.
# Exits 2 unless --skip-missing and only proxies are missing.
check_tools() {
  local -A pkg=([wrk]=wrk [nginx]=nginx [haproxy]=haproxy [squid]=squid [tinyproxy]=tinyproxy
                [taskset]=util-linux [java]=openjdk-17-jdk-headless [python3]=python3 [curl]=curl [ss]=iproute2)
  local tool missing_pkgs=() essential_missing=0
  for tool in wrk nginx haproxy squid tinyproxy taskset java python3 curl ss; do
    case "$tool" in  # a proxy that SERVERS leaves out is not needed
      haproxy|squid|tinyproxy) [[ " ${SERVERS[*]} " == *" $tool "* ]] || continue ;;
      java) [[ " ${SERVERS[*]} " == *" sluice"* ]] || continue ;;
    esac
    local ok=1
    if ! command -v "$tool" >/dev/null 2>&1; then
      ok=0
      echo "missing: $tool (Debian: apt-get install -y ${pkg[$tool]})" >&2
    elif [[ "$tool" == java ]] && (( $(java_major) < 17 )); then
      ok=0
      echo "missing: java 17 or newer, found $(java -version 2>&1 | head -n 1)" \
        "(Debian: apt-get install -y ${pkg[$tool]})" >&2
    fi
    if ((ok == 0)); then
      MISSING[$tool]=1
      missing_pkgs+=("${pkg[$tool]}")
      case "$tool" in haproxy|squid|tinyproxy|java) ;; *) essential_missing=1 ;; esac
    fi
  done
  if ((${#missing_pkgs[@]})); then
    echo "to install everything that is missing: apt-get update && apt-get install -y ${missing_pkgs[*]}" >&2
    if ((SKIP_MISSING == 0)); then
      echo "(or run with --skip-missing to measure only the proxies that are installed)" >&2
      exit 2
    fi
    if ((essential_missing)); then
      echo "wrk, nginx (the origin), taskset, python3, curl and ss are needed even with --skip-missing" >&2
      exit 2
    fi
  fi
  PY="$(python3 -c 'import sys; print(sys.executable)')"
}

raise_fd_limit() {
  if ulimit -n "$WANT_NOFILE" 2>/dev/null; then return; fi
  ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
  log "warning: could not raise the open-files limit to $WANT_NOFILE; using $(ulimit -n) (the hard limit)"
}

# ---------------------------------------------------------------------------------------------------------
# processes

# start_bg NAME CPU STDOUT STDERR CMD...: starts CMD pinned to CPU, records its PID as PID[NAME].
start_bg() {
  local name="$1" cpu="$2" out="$3" err="$4"
  shift 4
  start_pinned "$cpu" "$@" >>"$out" 2>>"$err" </dev/null
  PID[$name]=$LAST_PID
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_started
  if [[ -n "$RUN" && -d "$RUN" ]]; then
    if [[ "$KEEP_RUN" == 1 || $rc -ne 0 ]]; then
      log "run folder kept: $RUN"
    else
      rm -rf "$RUN"
    fi
  fi
  exit "$rc"
}

port_listening() { [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }

# wait_port PORT PID SECONDS: until PORT listens; fails if PID dies or time runs out.
wait_port() {
  local port="$1" pid="$2" deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    alive "$pid" || return 1
    port_listening "$port" && return 0
    sleep 0.2
  done
  return 1
}

pick_ports() {
  # PORTS consecutive free ports from PORT_BASE on, trying at most 20 blocks
  local base="$PORT_BASE" tries p busy
  for ((tries = 0; tries < 20; tries++)); do
    busy=0
    for ((p = base; p < base + PORTS; p++)); do
      if port_listening "$p"; then busy=1; break; fi
    done
    if ((busy == 0)); then
      ORIGIN_PORT=$base
      PORT[direct]=$base
      PORT[nginx]=$((base + 1)); PORT[haproxy]=$((base + 2)); PORT[squid]=$((base + 3))
      PORT[tinyproxy]=$((base + 4)); PORT[sluice]=$((base + 5)); PORT[sluice-before]=$((base + 6))
      SINK_PORT=$((base + PORTS - 1))
      NEXT_PORT=$((base + 7))
      local lo hi
      read -r lo hi </proc/sys/net/ipv4/ip_local_port_range || true
      if [[ -n "$lo" ]] && ((base + PORTS - 1 >= lo && base <= hi)); then
        # an outgoing connection may then take one of our ports first ("Address already in use")
        log "warning: ports $base-$((base + PORTS - 1)) lie in the ephemeral range $lo-$hi; set PORT_BASE below $((lo - PORTS))"
      fi
      return
    fi
    base=$((base + PORTS))
  done
  die "no block of $PORTS free ports found from $PORT_BASE on"
}

take_port() { # sets TAKEN_PORT to the next port of our block, for an extra Sluice instance (policies, growth)
  TAKEN_PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
  ((TAKEN_PORT < ORIGIN_PORT + PORTS - 1)) || die "out of ports"
}

# ---------------------------------------------------------------------------------------------------------
# setup

make_run_dir() {
  # on tmpfs when there is one: logs and nginx's body buffers then do not wait for a disk shared with others
  local parent="${RUN_PARENT:-}"
  if [[ -z "$parent" ]]; then
    parent=/tmp
    if [[ -d /dev/shm && -w /dev/shm ]] && (( $(df -Pk /dev/shm | awk 'NR == 2 {print $4}') > 4 * 1024 * 1024 )); then
      parent=/dev/shm
    fi
  fi
  RUN="$(new_run_dir "$parent" sluice-load)"
  mkdir -p "$RUN/wrk"
  head -c 65536 /dev/urandom >"$RUN/body-64k.bin"
  head -c 1048576 /dev/urandom >"$RUN/body-1m.bin"
  CSV="$RUN/raw.csv"
  META="$RUN/meta.txt"
  echo "section,workload,server,variant,rep,requests,duration_s,rps,p50_ms,p99_ms,non2xx,socket_errors,cpu_s,cpu_s_per_10k,rss_mib,other_cpu_pct,tcp_stalls,note" >"$CSV"
  : >"$META"
  log "run folder: $RUN"
}

meta() { # KEY VALUE: one line of facts for the report
  printf '%s=%s\n' "$1" "$(tr '\n' ' ' <<<"$2" | sed 's/ *$//')" >>"$META"
}

build_sluice() {
  [[ -n "${MISSING[java]:-}" || " ${SERVERS[*]} " != *" sluice "* ]] && return
  local why=""
  if [[ ! -f "$JAR" ]]; then
    why="missing"
  elif [[ -n "$(find "$ROOT/policy/src" "$ROOT/proxy/src" "$ROOT/pom.xml" "$ROOT/policy/pom.xml" \
                   "$ROOT/proxy/pom.xml" -newer "$JAR" -print -quit 2>/dev/null)" ]]; then
    why="older than the sources"
  fi
  [[ -z "$why" ]] && return
  log "building Sluice (proxy/target/sluice.jar $why): ${SLUICE_BUILD[*]}"
  build_jar || die "the Sluice build failed"
  touch "$JAR"
}

# other_load_now: how busy the rest of the machine is (percent of one CPU over 2 s), before we start anything
other_load_now() {
  local used
  "$PY" "$HERE/procstat.py" begin 0 $$ "$RUN/load.json"
  sleep 2
  used="$("$PY" "$HERE/procstat.py" end 0 $$ "$RUN/load.json")"
  awk -v s="${used#* }" 'BEGIN { printf "%.0f", s / 2 * 100 }'
}

record_environment() {
  first() { "$@" 2>&1 | head -n 1 || true; }
  meta date "$(date '+%Y-%m-%d %H:%M:%S %Z')"
  meta nproc "$(nproc)"
  meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  meta kernel "$(uname -sr)"
  meta memory "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  meta nofile "$(ulimit -n)"
  local other
  other="$(other_load_now)"
  meta other_load_before "$other"
  ((other < 20)) || log "warning: other processes use ${other}% of a CPU right now: results will be noisy"
  local commit dirty=""
  commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  git -C "$ROOT" diff --quiet HEAD -- policy proxy pom.xml 2>/dev/null || dirty=" + uncommitted changes in policy/proxy"
  meta v.sluice "git $commit$dirty"
  [[ -n "$SLUICE_BEFORE_JAR" ]] && meta v.sluice_before "$SLUICE_BEFORE_JAR (sha256 $(sha256sum "$SLUICE_BEFORE_JAR" | cut -c 1-12))"
  [[ -z "${MISSING[java]:-}" ]] && meta v.java "$(java -version 2>&1 | head -n 2 | tr '\n' ' ')"
  meta v.nginx "$(first nginx -v)"
  [[ -z "${MISSING[haproxy]:-}" ]] && meta v.haproxy "$(first haproxy -v)"
  [[ -z "${MISSING[squid]:-}" ]] && meta v.squid "$(first squid -v)"
  [[ -z "${MISSING[tinyproxy]:-}" ]] && meta v.tinyproxy "$(first tinyproxy -v)"
  meta v.wrk "$(first wrk -v)"
  meta duration "$DURATION"
  meta warmup "$WARMUP"
  meta reps "$REPS"
  meta prime "$PRIME"
  meta origin_upload "$ORIGIN_UPLOAD"
  meta sluice_pool "${SLUICE_UPSTREAM_POOL:-default}"
  meta sluice_java_opts "$SLUICE_JAVA_OPTS"
  meta nginx_request_buffering "$NGINX_REQUEST_BUFFERING"
}

# ---------------------------------------------------------------------------------------------------------
# origin and proxies

# nginx_conf DIR COMMENT ERROR_LEVEL ACCESS_LOG, the rest of the http block on stdin: DIR/nginx.conf for one
# worker in the foreground, pid, logs and temporary files in DIR, long keep-alive, bodies up to 2 MiB
nginx_conf() {
  local d="$1" rest
  rest="$(cat)"
  cat >"$d/nginx.conf" <<EOF
# $2
daemon off;
master_process on;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log $3;
worker_rlimit_nofile 20000;
events { worker_connections 16384; }
http {
  access_log $4;
  keepalive_requests 1000000;
  keepalive_timeout 650s;
  client_max_body_size 2m;
  client_body_temp_path $d/client_body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
$rest
}
EOF
}

# await_listen NAME SECONDS LOG...: until NAME listens on PORT[NAME]; else FAIL_REASON quotes the LOGs' last lines
await_listen() {
  local name="$1" secs="$2"
  shift 2
  wait_port "${PORT[$name]}" "${PID[$name]}" "$secs" && return 0
  FAIL_REASON="did not start: $(tail -n 2 "$@" 2>/dev/null | tr '\n' ' ' || true)"
  return 1
}

start_origin() {
  local d="$RUN/origin"
  mkdir -p "$d"
  local small upload sink=""
  small="$(printf '{"status":"ok","service":"sluice-load-origin","padding":"%s"}' "$(printf 'x%.0s' {1..42})")"
  if [[ "$ORIGIN_UPLOAD" == discard ]]; then
    # answers at once, then reads and discards the body (keep-alive stays in sync); a streaming proxy sees
    # the answer before it has sent the whole body, and some then close the client connection
    upload='location = /api/upload { default_type text/plain; return 200 "ok\n"; }'
  else
    # reads the whole body into memory first (as an API server would), then answers a small 200: the
    # proxy module buffers the body and asks a bodyless /ok of a second server block for the answer
    upload="location = /api/upload {
      proxy_pass http://sink/ok;
      proxy_pass_request_body off;
      proxy_set_header Content-Length \"\";
      proxy_set_header Connection \"\";
      proxy_http_version 1.1;
    }"
    sink="upstream sink { server 127.0.0.1:$SINK_PORT; keepalive 32; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$SINK_PORT;
    location = /ok { default_type text/plain; return 200 \"ok\\n\"; }
  }"
  fi
  nginx_conf "$d" "origin for bench/load: one worker, no access log" warn off <<EOF
  client_body_buffer_size 2m;
  $sink
  server {
    listen 127.0.0.1:$ORIGIN_PORT backlog=4096;
    location = /api/small { default_type application/json; return 200 '$small\n'; }
    location = /result { default_type application/json; return 200 '$small\n'; }
    $upload
    location / { return 404; }
  }
EOF
  start_bg origin "$LOAD_CPU" "$d/stdout.log" "$d/stderr.log" nginx -p "$d/" -e "$d/error.log" -c "$d/nginx.conf"
  wait_port "$ORIGIN_PORT" "${PID[origin]}" 20 || die "the origin nginx did not start: $(tail -n 3 "$d/error.log" "$d/stderr.log")"
  # GET answers 200 with a ~100-byte body; two 1 MiB POSTs on one connection both answer 200, the second
  # without a new connection: the origin consumed the first body.
  local get post
  get="$(curl -sS --max-time 10 -o "$d/small.body" -w '%{http_code} %{size_download}' "http://127.0.0.1:$ORIGIN_PORT/api/small")"
  post="$(curl -sS --max-time 10 -H 'Expect:' -H 'Content-Type: application/octet-stream' \
          -w '%{http_code} %{size_upload} %{num_connects}\n' -o /dev/null \
          --data-binary "@$RUN/body-1m.bin" "http://127.0.0.1:$ORIGIN_PORT/api/upload" --next \
          -H 'Expect:' -H 'Content-Type: application/octet-stream' -w '%{http_code} %{size_upload} %{num_connects}\n' \
          -o /dev/null --data-binary "@$RUN/body-1m.bin" "http://127.0.0.1:$ORIGIN_PORT/api/upload" | tr '\n' ' ')"
  [[ "$get" =~ ^200\ ([0-9]+)$ ]] || die "origin GET /api/small answered '$get', expected 200"
  [[ "$post" == "200 1048576 1 200 1048576 0 " ]] \
    || die "origin POST 1 MiB x2 on one connection answered '$post', expected '200 1048576 1 200 1048576 0'"
  local how="reads the whole body, then answers"
  [[ "$ORIGIN_UPLOAD" == discard ]] && how="answers at once, then discards the body"
  meta origin "nginx, 1 worker, access_log off, CPU $LOAD_CPU, port $ORIGIN_PORT; GET /api/small: ${BASH_REMATCH[1]}-byte body; POST /api/upload $how (ORIGIN_UPLOAD=$ORIGIN_UPLOAD), two 1 MiB POSTs on one keep-alive connection: 200, 200"
  STATUS[direct]=ok
  log "origin up on 127.0.0.1:$ORIGIN_PORT (GET $get; POST 1 MiB x2 on one connection: $post)"
}

# sluice_config FILE PORT AUDIT RULES IDLE: a Sluice config with RULES rules (RULES-1 non-matching first)
sluice_config() {
  local file="$1" port="$2" audit="$3" rules="$4" idle="$5"
  {
    echo "version: 1"
    echo "allowPrivate: [127.0.0.0/8]"
    echo "gateway:"
    echo "  listen: 127.0.0.1:$port"
    if [[ -n "$SLUICE_UPSTREAM_POOL" ]]; then
      echo "  upstream: {url: http://127.0.0.1:$ORIGIN_PORT, maxConnectionsPerLoop: $SLUICE_UPSTREAM_POOL}"
    else
      echo "  upstream: http://127.0.0.1:$ORIGIN_PORT"
    fi
    # Every load client comes from 127.0.0.1: lift the per-client and total connection caps (256 and 10,000 by
    # default), which would otherwise refuse the 1,000- and 10,000-connection runs as one greedy client.
    echo "  maxConnections: 30000"
    echo "  maxConnectionsPerClient: 30000"
    if [[ -n "$idle" ]]; then
      echo "  timeouts: {idle: $idle, shutdownGrace: 1s}"
    else
      echo "  timeouts: {shutdownGrace: 1s}"
    fi
    echo "limits:"
    echo "  maxRequestBodyBytes: 2MiB"
    echo "audit:"
    echo "  path: $audit"
    echo "rules:"
    awk -v n="$rules" 'BEGIN { for (i = 1; i < n; i++)
      printf "  - name: r%d\n    methods: [GET]\n    paths: [\"/svc%d/**\"]\n", i, i }'
    echo "  - name: central-api"
    echo "    methods: [GET, POST]"
    echo '    paths: ["/api/**"]'
  } >"$file"
}

# sluice_config_v6 FILE PORT AUDIT: examples/vantage6.yaml as the bench runs it: its limits and rules as they are,
# with the gateway on PORT in front of the origin (whose address takes the place of the node proxy's in every rule,
# hosts and ports), no forward or admin listener, loopback allowed, the caps of sluice_config, the audit log AUDIT
sluice_config_v6() {
  local file="$1" port="$2" audit="$3"
  {
    echo "version: 1"
    echo "allowPrivate: [127.0.0.0/8]"
    echo "gateway:"
    echo "  listen: 127.0.0.1:$port"
    echo "  upstream: http://127.0.0.1:$ORIGIN_PORT"
    echo "  maxConnections: 30000"
    echo "  maxConnectionsPerClient: 30000"
    echo "  timeouts: {shutdownGrace: 1s}"
    echo "audit:"
    echo "  path: $audit"
    # the example without its top-level sections replaced above; comments dropped
    awk -v origin="$ORIGIN_PORT" '
      /^[A-Za-z]/ { key = $1; sub(/:.*/, "", key) }
      /^[[:space:]]*#/ || /^[[:space:]]*$/ { next }
      key == "version" || key == "gateway" || key == "forward" || key == "admin" || key == "allowPrivate" || key == "audit" { next }
      { gsub(/hosts: \[proxyserver\]/, "hosts: [127.0.0.1]"); gsub(/ports: \[8080\]/, "ports: [" origin "]"); print }
    ' "$ROOT/examples/vantage6.yaml"
  } >"$file"
}

# start_sluice NAME PORT RULES IDLE: a Sluice instance from SLUICE_JAR[NAME] (default JAR) with RULES rules, or
# examples/vantage6.yaml when SLUICE_POLICY[NAME] is v6; returns non-zero (and sets FAIL_REASON) if it fails
start_sluice() {
  local name="$1" port="$2" rules="$3" idle="$4" d="$RUN/$1"
  mkdir -p "$d"
  SLUICE_RULES[$name]=$rules
  SLUICE_IDLE[$name]=$idle
  if [[ "${SLUICE_POLICY[$name]:-}" == v6 ]]; then
    sluice_config_v6 "$d/sluice.yaml" "$port" "$d/sluice-audit.jsonl"
  else
    sluice_config "$d/sluice.yaml" "$port" "$d/sluice-audit.jsonl" "$rules" "$idle"
  fi
  ACCESS_LOG[$name]="$d/sluice-audit.jsonl"
  PORT[$name]=$port
  local java_opts
  read -ra java_opts <<<"$SLUICE_JAVA_OPTS"
  start_bg "$name" "$PROXY_CPU" "$d/stdout.log" "$d/sluice.log" \
    java -XX:ActiveProcessorCount=1 "${java_opts[@]}" -jar "${SLUICE_JAR[$name]:-$JAR}" run --config "$d/sluice.yaml"
  # Sluice binds each port once for a moment to check it is free before it opens its audit log: the listener is
  # up only when it says so (seen: a slow start answered "connection refused" after the port had been listening)
  local deadline=$((SECONDS + 90))
  until grep -q 'gateway listening on' "$d/sluice.log" 2>/dev/null && port_listening "$port"; do
    if ! alive "${PID[$name]}" || ((SECONDS >= deadline)); then
      FAIL_REASON="did not listen within 90 s: $(tail -n 2 "$d/sluice.log" | tr '\n' ' ')"
      return 1
    fi
    sleep 0.2
  done
}

start_nginx() {
  local d="$RUN/nginx" port="${PORT[nginx]}"
  mkdir -p "$d"
  ACCESS_LOG[nginx]="$d/access.log"
  nginx_conf "$d" "nginx reverse proxy: one worker, access log on" error "$d/access.log" <<EOF
  upstream origin {
    server 127.0.0.1:$ORIGIN_PORT;
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 650s;
  }
  server {
    listen 127.0.0.1:$port backlog=4096;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_request_buffering $NGINX_REQUEST_BUFFERING;
    }
  }
EOF
  start_bg nginx "$PROXY_CPU" "$d/stdout.log" "$d/stderr.log" nginx -p "$d/" -e "$d/error.log" -c "$d/nginx.conf"
  await_listen nginx 20 "$d/error.log" "$d/stderr.log"
}

start_haproxy() {
  local d="$RUN/haproxy" port="${PORT[haproxy]}"
  mkdir -p "$d"
  ACCESS_LOG[haproxy]="$d/access.log"
  cat >"$d/haproxy.cfg" <<EOF
# HAProxy: one thread, HTTP mode, httplog written to stdout (redirected to access.log)
global
  nbthread 1
  maxconn 8000
  log stdout format raw local0

defaults
  mode http
  log global
  option httplog
  timeout connect 5s
  timeout client 650s
  timeout server 60s
  timeout http-request 30s
  timeout http-keep-alive 650s
  http-reuse always

frontend fe
  bind 127.0.0.1:$port
  default_backend origin

backend origin
  server origin 127.0.0.1:$ORIGIN_PORT
EOF
  haproxy -c -q -f "$d/haproxy.cfg" >"$d/check.log" 2>&1 || { FAIL_REASON="config check failed: $(head -n 3 "$d/check.log" | tr '\n' ' ')"; return 1; }
  start_bg haproxy "$PROXY_CPU" "$d/access.log" "$d/stderr.log" haproxy -db -f "$d/haproxy.cfg"
  await_listen haproxy 20 "$d/stderr.log"
}

start_squid() {
  local d="$RUN/squid" port="${PORT[squid]}" user_line
  mkdir -p "$d"
  user_line="$(squid_user_line "$d")"
  ACCESS_LOG[squid]="$d/access.log"
  cat >"$d/squid.conf" <<EOF
# Squid as a reverse proxy (accelerator) in front of the origin; no caching
$user_line
workers 1
http_port 127.0.0.1:$port accel defaultsite=127.0.0.1:$ORIGIN_PORT no-vhost
cache_peer 127.0.0.1 parent $ORIGIN_PORT 0 no-query originserver name=origin
cache_peer_access origin allow all
never_direct allow all
acl local_client src 127.0.0.1
http_access allow local_client
http_access deny all
request_body_max_size 2 MB
max_filedescriptors 16384
$(squid_housekeeping "$d" "" sluice-load-squid)
EOF
  squid -k parse -f "$d/squid.conf" >"$d/parse.log" 2>&1 || { FAIL_REASON="config parse failed: $(grep -m 2 -iE 'error|fatal' "$d/parse.log" | tr '\n' ' ')"; return 1; }
  start_bg squid "$PROXY_CPU" "$d/stdout.log" "$d/stderr.log" squid -N -f "$d/squid.conf"
  await_listen squid 30 "$d/cache.log" "$d/stderr.log"
}

start_tinyproxy() {
  local d="$RUN/tinyproxy" port="${PORT[tinyproxy]}" user_lines=""
  mkdir -p "$d"
  if ((EUID == 0)); then
    chown nobody "$d" 2>/dev/null && user_lines=$'User nobody\nGroup nogroup'
  fi
  ACCESS_LOG[tinyproxy]="$d/access.log"
  # LogLevel Connect logs every connection and request (its access log); Info would add debug-like lines
  cat >"$d/tinyproxy.conf" <<EOF
$user_lines
Port $port
Listen 127.0.0.1
Timeout 600
LogFile "$d/access.log"
LogLevel Connect
PidFile "$d/tinyproxy.pid"
MaxClients 1100
Allow 127.0.0.1
ReversePath "/" "http://127.0.0.1:$ORIGIN_PORT/"
ReverseOnly Yes
ReverseMagic No
EOF
  start_bg tinyproxy "$PROXY_CPU" "$d/stdout.log" "$d/stderr.log" tinyproxy -d -c "$d/tinyproxy.conf"
  await_listen tinyproxy 20 "$d/access.log" "$d/stderr.log"
}

# verify NAME: one GET of CHECK_PATH[NAME] (/api/small) must answer 200 (else FAIL_REASON says why); a 1 MiB POST
# is checked too, except for an instance with a policy of its own (a failure is noted, and shows in the non-2xx
# column later)
verify() {
  local name="$1" port="${PORT[$1]}" path="${CHECK_PATH[$1]:-/api/small}" code post
  code="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path" 2>&1 | tr '\n' ' ')" || true
  code="${code% }"
  if [[ "$code" != 200 ]]; then
    FAIL_REASON="GET $path did not answer 200: $code"
    return 1
  fi
  [[ -z "${CHECK_PATH[$1]:-}" ]] || return 0
  post="$(curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -H 'Expect:' -H 'Content-Type: application/octet-stream' \
          --data-binary "@$RUN/body-1m.bin" "http://127.0.0.1:$port/api/upload" 2>&1)" || true
  [[ "$post" == 200 ]] || meta "note.$name" "POST 1 MiB to /api/upload answered $post"
}

# start_server NAME: starts (or starts again) a proxy or Sluice instance and verifies it; FAIL_REASON on failure
start_server() {
  local name="$1"
  FAIL_REASON=""
  if [[ "$name" == sluice* ]]; then
    start_sluice "$name" "${PORT[$name]}" "${SLUICE_RULES[$name]:-1}" "${SLUICE_IDLE[$name]:-}" || return 1
  else
    "start_$name" || return 1
  fi
  verify "$name"
}

start_proxies() {
  local s
  for s in "${SERVERS[@]}"; do
    [[ "$s" == direct ]] && continue
    local tool="$s"
    [[ "$s" == sluice* ]] && tool=java
    [[ "$s" == sluice-before ]] && SLUICE_JAR[$s]="$SLUICE_BEFORE_JAR"
    if [[ -n "${MISSING[$tool]:-}" ]]; then
      STATUS[$s]="not installed"
      log "$s: not installed"
      continue
    fi
    if start_server "$s"; then
      STATUS[$s]=ok
      log "$s up on 127.0.0.1:${PORT[$s]} (PID ${PID[$s]}${SLUICE_JAR[$s]:+, ${SLUICE_JAR[$s]}}), GET /api/small: 200"
    else
      STATUS[$s]="failed: $FAIL_REASON"
      log "$s FAILED: $FAIL_REASON"
      [[ -n "${PID[$s]:-}" ]] && stop_pid "${PID[$s]}"
      unset "PID[$s]"
    fi
  done
  meta servers "${SERVERS[*]}"
  meta workloads "${WORKLOADS[*]}"
  for s in "${SERVERS[@]}"; do meta "status.$s" "${STATUS[$s]}"; done
  local ports="origin $ORIGIN_PORT"
  for s in "${SERVERS[@]}"; do [[ "$s" == direct ]] || ports+=", $s ${PORT[$s]}"; done
  meta ports "$ports; extra Sluice instances from $((ORIGIN_PORT + 7)) on"
}

# instance SERVER WORKLOAD: prints the process that serves SERVER in WORKLOAD: SERVER itself, or for Sluice in a
# policy workload its instance with that policy
instance() {
  local policy="${WL_POLICY[$2]:-}"
  if [[ -n "$policy" && "$1" == sluice* ]]; then echo "$1-policy-$policy"; else echo "$1"; fi
}

# start_policy_instances WORKLOAD SERVERS...: starts, for each Sluice server among SERVERS, its instance with the
# workload's policy (same jar and options, a port of its own); one that fails is marked DOWN, and its cells say why
start_policy_instances() {
  local wl="$1" s inst policy="${WL_POLICY[$1]}"
  shift
  for s in "$@"; do
    [[ "$s" == sluice* ]] || continue
    inst="$(instance "$s" "$wl")"
    take_port
    PORT[$inst]=$TAKEN_PORT
    SLUICE_JAR[$inst]="${SLUICE_JAR[$s]:-}"
    CHECK_PATH[$inst]="${WL_PATH[$wl]}"
    if [[ "$policy" == v6 ]]; then SLUICE_POLICY[$inst]=v6; else SLUICE_RULES[$inst]="${policy#r}"; fi
    log "starting $s with the $wl policy ($policy) as $inst on 127.0.0.1:$TAKEN_PORT"
    if start_server "$inst"; then
      meta "policy.$wl.$s" "$(grep -c '^  - name:' "$RUN/$inst/sluice.yaml") rules; GET ${WL_PATH[$wl]}: 200"
    else
      DOWN[$inst]="with the $wl policy: ${FAIL_REASON//,/;}"
      DOWN[$inst]="${DOWN[$inst]//$'\n'/ }"
      log "$inst FAILED: $FAIL_REASON"
      [[ -n "${PID[$inst]:-}" ]] && stop_pid "${PID[$inst]}"
      unset "PID[$inst]"
    fi
  done
}

# ---------------------------------------------------------------------------------------------------------
# measuring

# run_wrk OUT CONNS PORT PATH BODYFILE SECONDS: one wrk run pinned to the load CPU, bounded in time
run_wrk() {
  local out="$1" conns="$2" port="$3" path="$4" body="$5" secs="$6"
  local args=(-t1 "-c$conns" "-d${secs}s" --timeout "$WRK_TIMEOUT" --latency -s "$HERE/wrk-report.lua"
              "http://127.0.0.1:$port$path")
  [[ -n "$body" ]] && args+=(-- "$RUN/$body")
  timeout -k 5 $((secs + 60)) taskset -c "$LOAD_CPU" wrk "${args[@]}" >"$out" 2>&1 || true
}

bench_field() { # FILE KEY: a value of the BENCH line
  sed -n 's/^BENCH .*[[:space:]]'"$2"'=\([^[:space:]]*\).*/\1/p; s/^BENCH '"$2"'=\([^[:space:]]*\).*/\1/p' "$1" | head -n 1
}

declare -A SENT=()  # name -> requests sent during the current workload (warm-up included), for the log check
declare -A DOWN=()  # name -> why it is no longer measured (it stopped answering and could not be restarted)

# ensure_up NAME: a proxy (or Sluice instance) that stopped answering GET CHECK_PATH[NAME] (/api/small) with 200
# between runs is restarted once per run, loudly (RESTART_NOTE says so, and the CSV row and the report show it);
# returns 1 if it stays down
ensure_up() {
  local name="$1" code path="${CHECK_PATH[$1]:-/api/small}"
  RESTART_NOTE=""
  [[ "$name" == direct ]] && return 0
  [[ -n "${DOWN[$name]:-}" ]] && return 1
  code="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} after %{time_total}s' \
          "http://127.0.0.1:${PORT[$name]}$path" 2>&1 | tr "\n" " ")" || true
  [[ "$code" == 200\ * ]] && return 0
  RESTART_NOTE="restarted: it had stopped answering (GET $path: ${code//,/;})"
  log "!! $name stopped answering (GET $path: $code): restarting it"
  [[ -n "${PID[$name]:-}" ]] && stop_pid "${PID[$name]}"
  if ! start_server "$name"; then
    DOWN[$name]="stopped answering (GET $path: ${code//,/;}) and did not restart: ${FAIL_REASON//,/;}"
    log "!! $name did not restart: $FAIL_REASON"
    return 1
  fi
  return 0
}

# measure SECTION WORKLOAD NAME VARIANT REP|warmup|prime: one wrk run against NAME (through its instance for the
# workload, see instance); a repetition appends a CSV row
measure() {
  local section="$1" wl="$2" name="$3" variant="$4" rep="$5" note="" inst
  inst="$(instance "$name" "$wl")"
  local secs="$DURATION"
  [[ "$rep" == warmup ]] && secs="$WARMUP"
  [[ "$rep" == prime ]] && secs="$PRIME"
  if ! ensure_up "$inst"; then
    [[ "$rep" =~ ^[0-9]+$ ]] && echo "$section,$wl,$name,$variant,$rep,,,,,,,,,,,,,down: ${DOWN[$inst]}" >>"$CSV"
    return 0
  fi
  if [[ -n "$RESTART_NOTE" ]]; then
    note="$RESTART_NOTE"
    meta "restart.$section.$wl.$name.$variant.$rep" "$RESTART_NOTE"
    # a fresh process gets its warm-up again before a measured repetition
    [[ "$rep" =~ ^[0-9]+$ ]] && measure "$section" "$wl" "$name" "$variant" warmup
  fi
  local port="${PORT[$inst]}" pid="${PID[$inst]:-}"
  local out="$RUN/wrk/$section-$wl-$name-$variant-$rep.txt"
  local used rss="" shape_pid=""
  # the proxy's CPU seconds during the run, and those of every process on the machine that is not ours
  "$PY" "$HERE/procstat.py" begin "${pid:-0}" $$ "$RUN/cpu.json" 2>/dev/null || true
  if [[ -n "$pid" && "$rep" == "$REPS" ]]; then
    # how many processes/threads the proxy has mid-run (tinyproxy: a thread per connection)
    ( sleep "$(awk -v d="$secs" 'BEGIN { print d / 2 }')"
      "$PY" "$HERE/procstat.py" shape "$pid" >"$RUN/shape.$section.$wl.$name.$variant" 2>/dev/null || true ) &
    shape_pid=$!
  fi
  run_wrk "$out" "${WL_CONNS[$wl]}" "$port" "${WL_PATH[$wl]}" "${WL_BODY[$wl]}" "$secs"
  [[ -n "$shape_pid" ]] && { wait "$shape_pid" 2>/dev/null || true; }
  used="$("$PY" "$HERE/procstat.py" end "${pid:-0}" $$ "$RUN/cpu.json" 2>/dev/null || echo "- - -")"
  if [[ -n "$pid" ]]; then
    rss="$("$PY" "$HERE/procstat.py" rss "$pid" 2>/dev/null || true)"
    alive "$pid" || log "WARNING: $name (PID $pid) is no longer running"
  fi
  local requests
  requests="$(bench_field "$out" requests)"
  if [[ -z "$requests" ]]; then
    log "  $section $wl $name${variant:+ ($variant)} $rep: wrk gave no result: $(tail -n 2 "$out" | tr '\n' ' ')"
    [[ "$rep" =~ ^[0-9]+$ ]] && echo "$section,$wl,$name,$variant,$rep,,,,,,,,,,,,,no wrk result" >>"$CSV"
    return 0
  fi
  SENT[$inst]=$(( ${SENT[$inst]:-0} + requests ))
  if ! [[ "$rep" =~ ^[0-9]+$ ]]; then
    if [[ "$requests" == 0 ]]; then
      log "  $section $wl $name${variant:+ ($variant)} $rep: NO responses in ${secs}s"
    fi
    return 0
  fi
  local row
  row="$(awk -v sec="$section" -v wl="$wl" -v name="$name" -v var="$variant" -v rep="$rep" \
    -v req="$requests" -v dur="$(bench_field "$out" duration_us)" \
    -v p50="$(bench_field "$out" p50_us)" -v p99="$(bench_field "$out" p99_us)" \
    -v st="$(bench_field "$out" status)" \
    -v sock="$(( $(bench_field "$out" connect) + $(bench_field "$out" read) + $(bench_field "$out" write) + $(bench_field "$out" timeout) ))" \
    -v has_pid="${pid:+1}" -v used="$used" -v rss="$rss" -v note="$note" 'BEGIN {
      rps = dur > 0 ? req / (dur / 1e6) : 0
      split(used, u, " ")
      cpu = ""; per = ""; mib = ""; other = ""; stalls = (u[3] != "-" ? u[3] : "")
      if (has_pid && u[1] != "-") { cpu = sprintf("%.2f", u[1]); if (req > 0) per = sprintf("%.4f", u[1] / req * 10000) }
      if (u[2] != "-" && dur > 0) other = sprintf("%.0f", u[2] / (dur / 1e6) * 100)
      if (rss != "") mib = sprintf("%.1f", rss / 1024)
      printf "%s,%s,%s,%s,%s,%d,%.3f,%.1f,%.3f,%.3f,%d,%d,%s,%s,%s,%s,%s,%s\n",
        sec, wl, name, var, rep, req, dur / 1e6, rps, p50 / 1000, p99 / 1000, st, sock, cpu, per, mib, other, stalls, note }')"
  echo "$row" >>"$CSV"
  local IFS=,
  # shellcheck disable=SC2086
  set -- $row
  log "  $section $wl $name${variant:+ ($variant)} rep $rep: $8 req/s, p50 $9 ms, p99 ${10} ms, non-2xx ${11}, socket errors ${12}, CPU s/10k ${14:-n/a}, RSS MiB ${15:-n/a}, other load ${16:-?}% of a CPU, TCP stalls ${17:-?}${note:+ [$note]}"
}

# rotated_logs NAME: prints the files Sluice rotated NAME's access log to. Sluice rotates its audit log at
# audit.rotate.maxBytes (100 MiB by default) to NAME-<time>-<n>.jsonl beside it.
rotated_logs() {
  local f="${ACCESS_LOG[$1]:-}"
  if [[ "$f" == *.jsonl ]]; then
    compgen -G "${f%.jsonl}-*.jsonl" || true
  fi
}

# empty_log NAME: empties NAME's access log and deletes its rotated files
empty_log() {
  local f="${ACCESS_LOG[$1]:-}" rotated=()
  [[ -n "$f" && -f "$f" ]] || return 0
  mapfile -t rotated < <(rotated_logs "$1")
  : >"$f"
  ((${#rotated[@]} == 0)) || rm -f -- "${rotated[@]}"
}

# check_logs WORKLOAD NAMES...: access-log lines written (rotated files included) vs requests sent, then empty
# the logs. A NAME is a server, or SERVER=INSTANCE for the instance that served the server in WORKLOAD.
check_logs() {
  local wl="$1" item name lines
  shift
  for item in "$@"; do
    local name="${item#*=}"
    local f="${ACCESS_LOG[$name]:-}"
    [[ -n "$f" && -f "$f" ]] || continue
    local rotated=()
    mapfile -t rotated < <(rotated_logs "$name")
    lines="$(cat "$f" "${rotated[@]}" | wc -l)"
    meta "loglines.$wl.${item%%=*}" "$lines ${SENT[$name]:-0}"
    empty_log "$name"
  done
  SENT=()
}

# run_set SECTION WORKLOAD "NAME:VARIANT ...": warm-up each, then REPS rounds, the order rotating per round
run_set() {
  local section="$1" wl="$2" t rep i n targets
  read -ra targets <<<"$3"
  n=${#targets[@]}
  for t in "${targets[@]}"; do
    measure "$section" "$wl" "${t%%:*}" "${t#*:}" warmup
    sleep "$PAUSE"
  done
  for ((rep = 1; rep <= REPS; rep++)); do
    for ((i = 0; i < n; i++)); do
      t="${targets[$(( (i + rep - 1) % n ))]}"
      measure "$section" "$wl" "${t%%:*}" "${t#*:}" "$rep"
      sleep "$PAUSE"
    done
  done
}

# prime "NAME:VARIANT ..." [WORKLOAD]: a first, uncounted run of PRIME seconds each (JIT compilation, caches) of
# WORKLOAD (get64)
prime() {
  local t
  for t in $1; do
    measure prime "${2:-get64}" "${t%%:*}" "${t#*:}" prime
    sleep "$PAUSE"
  done
  SENT=()
}

run_main() {
  local wl s targets=() names=()
  for s in "${SERVERS[@]}"; do
    [[ "${STATUS[$s]}" == ok ]] && { targets+=("$s:"); names+=("$s"); }
  done
  log "priming every server with ${PRIME}s of GET (not counted)"
  prime "${targets[*]}"
  # what priming wrote, rotated files included (the GET check of the first workload counted them: 1.34 lines per
  # request for Sluice on 2026-12-06)
  for s in "${names[@]}"; do empty_log "$s"; done
  for wl in "${WORKLOADS[@]}"; do
    log "workload $wl: ${WL_DESC[$wl]} (warm-up ${WARMUP}s, then $REPS x ${DURATION}s, servers interleaved)"
    if [[ -n "${WL_POLICY[$wl]:-}" ]]; then
      run_policy_workload "$wl" "${names[@]}"
      continue
    fi
    run_set main "$wl" "${targets[*]}"
    check_logs "$wl" "${names[@]}"
  done
}

# run_policy_workload WORKLOAD SERVERS...: the Sluice servers through instances with the workload's policy, started
# for it (primed with the workload) and stopped after it; next to them the servers without a policy (POLICY_PEERS)
# on the same GET, in the same interleaved set
run_policy_workload() {
  local wl="$1" s inst targets=() fresh=() logs=()
  shift
  start_policy_instances "$wl" "$@"
  for s in "$@"; do
    if [[ "$s" == sluice* ]]; then
      inst="$(instance "$s" "$wl")"
      [[ -n "${DOWN[$inst]:-}" ]] || fresh+=("$s:")
      logs+=("$s=$inst")
    elif [[ "$POLICY_PEERS" == *" $s "* ]]; then
      logs+=("$s")
    else
      continue
    fi
    targets+=("$s:")
  done
  ((${#fresh[@]} == 0)) || log "priming the instances with ${PRIME}s of this workload (not counted)"
  prime "${fresh[*]}" "$wl"
  for s in "${logs[@]}"; do empty_log "${s#*=}"; done
  run_set main "$wl" "${targets[*]}"
  check_logs "$wl" "${logs[@]}"
  for s in "$@"; do
    [[ "$s" == sluice* ]] || continue
    inst="$(instance "$s" "$wl")"
    [[ -n "${PID[$inst]:-}" ]] && stop_pid "${PID[$inst]}"
    DOWN[$inst]="stopped after its workload"
  done
}

run_growth_rules() {
  local n targets=("sluice:1") fresh=()
  for n in $RULE_COUNTS; do
    local name="sluice-r$n"
    take_port
    log "starting Sluice with $n rules on 127.0.0.1:$TAKEN_PORT"
    PORT[$name]=$TAKEN_PORT
    SLUICE_RULES[$name]=$n
    if start_server "$name"; then
      targets+=("$name:$n")
      fresh+=("$name:$n")
    else
      meta "growthfail.rules.$n" "$FAIL_REASON"
      log "Sluice with $n rules FAILED: $FAIL_REASON"
    fi
  done
  log "growth: GET, 64 connections, Sluice with 1 (the main instance) and $RULE_COUNTS rules"
  prime "${fresh[*]}"
  run_set rules get64 "${targets[*]}"
  check_logs rules "${targets[@]%%:*}"
  for n in $RULE_COUNTS; do
    [[ -n "${PID[sluice-r$n]:-}" ]] && stop_pid "${PID[sluice-r$n]}"
  done
}

run_growth_idle() {
  local n
  for n in $IDLE_COUNTS; do
    local name="sluice-i$n" helper_pid ready="" i
    if (( n + 2048 > $(ulimit -n) )); then
      meta "growthfail.idle.$n" "open-files limit $(ulimit -n) too low for $n idle connections"
      log "skipping $n idle connections: open-files limit $(ulimit -n)"
      continue
    fi
    take_port
    log "starting Sluice (idle timeout 10m) on 127.0.0.1:$TAKEN_PORT for $n idle connections"
    PORT[$name]=$TAKEN_PORT
    SLUICE_IDLE[$name]=10m
    if ! start_server "$name"; then
      meta "growthfail.idle.$n" "$FAIL_REASON"
      log "Sluice for $n idle connections FAILED: $FAIL_REASON"
      continue
    fi
    prime "$name:$n"
    local hold=$(( WARMUP + REPS * (DURATION + 3) + 150 ))
    start_bg "idle-$n" "$LOAD_CPU" "$RUN/idle-$n.out" "$RUN/idle-$n.err" "$PY" "$HERE/idle_conns.py" "${PORT[$name]}" "$n" "$hold"
    helper_pid="${PID[idle-$n]}"
    for ((i = 0; i < 1300; i++)); do  # at most ~130 s; the helper gives up setting up after 120 s
      ready="$(grep -m 1 '^READY' "$RUN/idle-$n.out" 2>/dev/null || true)"
      [[ -n "$ready" ]] && break
      alive "$helper_pid" || break
      sleep 0.1
    done
    if [[ -z "$ready" ]]; then
      meta "growthfail.idle.$n" "idle helper did not get ready: $(tail -n 2 "$RUN/idle-$n.err" | tr '\n' ' ')"
      stop_pid "$helper_pid"; stop_pid "${PID[$name]}"
      continue
    fi
    meta "idle.$n" "${ready#READY }"
    log "  $n idle connections: ${ready#READY }"
    run_set idle get64 "$name:$n"
    check_logs "idle-$n" "$name"
    stop_pid "$helper_pid"
    stop_pid "${PID[$name]}"
  done
}

collect_shapes() {
  local f
  for f in "$RUN"/shape.*; do
    [[ -f "$f" ]] || continue
    meta "${f##*/}" "$(cat "$f")"
  done
}

write_report() {
  local day
  day="$(date +%F)"
  mkdir -p "$RESULTS_DIR"
  cp "$CSV" "$RESULTS_DIR/load-$day.csv"
  "$PY" "$HERE/report.py" --csv "$CSV" --meta "$META" \
    --md "$RESULTS_DIR/load-$day.md" --svg "$RESULTS_DIR/load-$day.svg" --svg-link "load-$day.svg"
  cp "$RESULTS_DIR/load-$day.md" "$RESULTS_DIR/latest.md"
  cp "$RESULTS_DIR/load-$day.svg" "$RESULTS_DIR/latest.svg"
  log "wrote $RESULTS_DIR/load-$day.md, .csv, .svg (and latest.md, latest.svg)"
}

main() {
  parse_args "$@"
  check_tools
  raise_fd_limit
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  local started=$SECONDS
  make_run_dir
  pick_ports
  build_sluice
  record_environment
  start_origin
  start_proxies
  run_main
  if [[ "$SKIP_GROWTH" != 1 && "${STATUS[sluice]:-}" == ok ]]; then
    run_growth_rules
    run_growth_idle
  fi
  collect_shapes
  meta elapsed "$((SECONDS - started))"
  write_report
  log "done in $((SECONDS - started)) s"
}

main "$@"

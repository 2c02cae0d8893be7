#!/usr/bin/env bash
# bench/footprint/footprint.sh: Sluice's footprint as a sidecar, per JVM configuration (runtime, options,
# class-data archive): time from process start to the first 200 from the admin /readyz, RSS idle, after one
# request and under 1,000 keep-alive connections (end and peak), and GET req/s with 64 connections next to nginx
# as a reverse proxy in the same run. Sluice runs pinned to CPU 0 with -XX:ActiveProcessorCount=1 (a sidecar has
# about one CPU); the nginx origin, wrk and the probes run on CPU 1. See bench/footprint/README.md.
#
#   bench/footprint/footprint.sh [CONFIG...]        the named configurations (default: all, in table order)
#   bench/footprint/footprint.sh --list             the configurations and their options
#
# A CONFIG is a name from --list, or NAME=RUNTIME ARCHIVE JVM-OPTION... for one of your own (RUNTIME: jdk17,
# jdk25, jlink17 or jlink25; ARCHIVE: none, cds-demo, cds-bench, aot-demo or aot-bench), e.g.
#   'mine=jdk17 none -XX:+UseSerialGC -Xmx40m'
#
# Env knobs: STARTS (starts per configuration, the median and max of their times to ready are reported, 5),
# IDLE_SECS (s between ready and the idle RSS, 3), WARMUP (s of 64-connection GET before the measured one, 5), SECS
# (s of each measured load, 10), HOSTILE_SECS (0: off; else s of bench/load/bad_clients.py beside 16 good
# connections after the other loads, then RSS, peak and whether Sluice is still alive), MAX_REQUESTS (bound per wrk run, 2000000), PORT_BASE (30100), JAR (the Sluice
# jar, proxy/target/sluice.jar), JDK17, JDK25 (JDK homes), DAY (date +%F), OUT (the results file,
# bench/results/footprint-DAY.md: a run is appended to it), KEEP_RUN (0).
#
# Needs wrk, nginx, taskset, python3, curl, ss, a JDK 17 and a JDK 25 (for the jdk25/jlink25 configurations).
# Only 127.0.0.1 is used; every load is bounded in time and in requests; stops only the processes it started.
# Hold the machine's bench lock around it where others measure too (flock LOCKFILE bench/footprint/footprint.sh).
set -euo pipefail

GIVEN_JAR="${JAR:-}"  # lib.sh sets JAR
# shellcheck source-path=SCRIPTDIR source=../load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../load/lib.sh"
FOOT_DIR="$ROOT/bench/footprint"
BOUNDED_LUA="$ROOT/bench/profile/bounded.lua"

STARTS="${STARTS:-5}"
IDLE_SECS="${IDLE_SECS:-3}"
WARMUP="${WARMUP:-5}"
SECS="${SECS:-10}"
HOSTILE_SECS="${HOSTILE_SECS:-0}"
MAX_REQUESTS="${MAX_REQUESTS:-2000000}"
PORT_BASE="${PORT_BASE:-30100}"
JAR="${GIVEN_JAR:-$JAR}"
JDK17="${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}"
JDK25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
DAY="${DAY:-$(date +%F)}"
OUT="${OUT:-$ROOT/bench/results/footprint-$DAY.md}"
KEEP_RUN="${KEEP_RUN:-0}"

# Today's image (deploy/docker/Dockerfile before issue 19), and the Serial GC sets the others build on: Serial is
# the collector a one-CPU JVM gets by default anyway; -Xms8m lets the heap grow only as far as the load needs.
IMAGE_OPTS="-Xmx48m -Xmn12m -Xss256k -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData"
REST="-Xss256k -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData"
SERIAL32="-XX:+UseSerialGC -Xmx32m -Xmn8m $REST"
SERIAL24="-XX:+UseSerialGC -Xms8m -Xmx24m $REST"
SERIAL16="-XX:+UseSerialGC -Xms8m -Xmx16m $REST"
LEAN="-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=16m"  # C1 only: no C2 compiler thread, arenas or code
COH="-XX:+UseCompactObjectHeaders"
NATIVE="--enable-native-access=ALL-UNNAMED"  # JDK 22+: Netty loads its epoll library (else a warning at start)
POOLED="-Dio.netty.allocator.type=pooled -Dio.netty.allocator.maxOrder=7"  # Netty 4.1's allocator, 1 MiB chunks
# NAME -> "RUNTIME ARCHIVE JVM-OPTIONS..." (a NAME=VALUE word is set in the environment); ORDER is the table's order
declare -A CONFIG=(
  [j17-defaults]="jdk17 none"
  [j17-image]="jdk17 none $IMAGE_OPTS"
  [j17-image-serial]="jdk17 none $IMAGE_OPTS -XX:+UseSerialGC"
  [j17-serial32]="jdk17 none $SERIAL32"
  [j17-serial24]="jdk17 none $SERIAL24"
  [j17-serial16]="jdk17 none $SERIAL16"
  [j17-serial24-c1]="jdk17 none $SERIAL24 $LEAN"
  [j17-serial24-pooled]="jdk17 none $SERIAL24 $POOLED"
  [j17-serial24-arena1]="jdk17 none $SERIAL24 MALLOC_ARENA_MAX=1"
  [j17-serial24-cds]="jdk17 cds-demo $SERIAL24"
  [j17-serial24-c1-cds]="jdk17 cds-demo $SERIAL24 $LEAN"
  [j25-serial24]="jdk25 none $SERIAL24 $NATIVE"
  [j25-serial24-coh]="jdk25 none $SERIAL24 $NATIVE $COH"
  [j25-serial24-coh-aot]="jdk25 aot-demo $SERIAL24 $NATIVE $COH"
  [j25-serial24-coh-aotbench]="jdk25 aot-bench $SERIAL24 $NATIVE $COH"
  [j25-serial24-coh-c1-aot]="jdk25 aot-demo $SERIAL24 $NATIVE $COH $LEAN"
  [jlink17-serial24-c1-cds]="jlink17 cds-demo $SERIAL24 $LEAN"
  [jlink17-serial16-c1-cds]="jlink17 cds-demo $SERIAL16 $LEAN"
  [jlink17-serial24-c1-cdsrun]="jlink17 cds-run $SERIAL24 $LEAN"
  [jlink25-serial24-coh-c1-aot]="jlink25 aot-demo $SERIAL24 $NATIVE $COH $LEAN"
)
ORDER=(j17-defaults j17-image j17-image-serial j17-serial32 j17-serial24 j17-serial16 j17-serial24-c1
  j17-serial24-pooled j17-serial24-arena1 j17-serial24-cds j17-serial24-c1-cds j25-serial24 j25-serial24-coh
  j25-serial24-coh-aot j25-serial24-coh-aotbench j25-serial24-coh-c1-aot jlink17-serial24-c1-cds
  jlink17-serial24-c1-cdsrun jlink17-serial16-c1-cds jlink25-serial24-coh-c1-aot)

case "${1:-}" in
  --list)
    for name in "${ORDER[@]}"; do printf '%-28s %s\n' "$name" "${CONFIG[$name]}"; done
    exit 0 ;;
  -*) echo "usage: bench/footprint/footprint.sh [--list | CONFIG...]" >&2; exit 2 ;;
esac
SELECTED=()
for arg in "$@"; do
  if [[ "$arg" == *=* ]]; then
    CONFIG[${arg%%=*}]="${arg#*=}"
    SELECTED+=("${arg%%=*}")
  elif [[ -n "${CONFIG[$arg]:-}" ]]; then
    SELECTED+=("$arg")
  else
    echo "footprint.sh: no configuration '$arg' (see --list)" >&2; exit 2
  fi
done
((${#SELECTED[@]})) || SELECTED=("${ORDER[@]}")
[[ "$HOSTILE_SECS" =~ ^[0-9]+$ ]] || { echo "footprint.sh: HOSTILE_SECS must be a whole number" >&2; exit 2; }
for v in STARTS IDLE_SECS WARMUP SECS MAX_REQUESTS PORT_BASE; do
  [[ "${!v}" =~ ^[0-9]+$ && "${!v}" -gt 0 ]] || { echo "footprint.sh: $v must be a positive whole number" >&2; exit 2; }
done
require_tools footprint.sh "Debian: apt-get install -y wrk nginx-light util-linux python3 curl iproute2" \
  wrk nginx taskset python3 curl ss

RUN=""
origin=$PORT_BASE nginx_port=$((PORT_BASE + 1)) gateway=$((PORT_BASE + 2)) admin=$((PORT_BASE + 3))
trap finish_run EXIT
trap 'exit 130' INT TERM
die() { log "footprint.sh: $*"; exit 1; }

start_origin() {
  local small
  small="$(printf '{"status":"ok","service":"sluice-footprint-origin","padding":"%s"}' "$(printf 'x%.0s' {1..36})")"
  origin_nginx_conf "$RUN" "$origin" 4096 "location = /api/small { default_type application/json; return 200 '$small\n'; }
    location = /api/upload { client_max_body_size 4m; client_body_buffer_size 2m; default_type text/plain;
      return 200 'ok\n'; }
    location / { return 404; }"
  start_pinned "$LOAD_CPU" nginx -e "$RUN/nginx-error.log" -c "$RUN/nginx.conf" >"$RUN/nginx.out" 2>&1 </dev/null
  await_port "$origin" "$LAST_PID" 20 || die "the origin nginx did not start: $(tail -n 3 "$RUN/nginx-error.log")"
}

# start_nginx_proxy: the baseline, nginx as a reverse proxy with its access log on (as bench/load/run.sh), CPU 0
start_nginx_proxy() {
  local d="$RUN/nginx-proxy"
  mkdir -p "$d"
  cat >"$d/nginx.conf" <<CONF
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log error;
daemon off;
events { worker_connections 4096; }
http {
  access_log $d/access.log;
  upstream origin { server 127.0.0.1:$origin; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$nginx_port backlog=4096; keepalive_requests 1000000;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
  start_pinned "$PROXY_CPU" nginx -e "$d/error.log" -c "$d/nginx.conf" >"$d/out.log" 2>&1 </dev/null
  NGINX_PID=$LAST_PID
  await_port "$nginx_port" "$NGINX_PID" 20 || die "the nginx reverse proxy did not start: $(tail -n 3 "$d/error.log")"
}

write_policy() {
  # one rule, audit log on; the client limit is raised for the 1,000 connections that come from one address
  cat >"$RUN/sluice.yaml" <<CONF
version: 1
allowPrivate: [127.0.0.0/8]
gateway:
  listen: 127.0.0.1:$gateway
  upstream: http://127.0.0.1:$origin
  timeouts: {shutdownGrace: 1s}
  maxConnectionsPerClient: 4096
admin:
  listen: 127.0.0.1:$admin
limits:
  maxRequestBodyBytes: 1MiB  # bad_clients.py's 2 MiB bodies are oversize, as in bench/load/soak.sh
audit:
  path: $RUN/audit.jsonl
rules:
  - name: central-api
    methods: [GET, POST]
    paths: ["/api/**"]
CONF
}

# java_of RUNTIME: prints the java binary of RUNTIME; a jlink runtime is made once per run as the Dockerfile
# makes it (jdeps modules + jdk.crypto.ec + jdk.unsupported, then -Xshare:dump for the base CDS archive)
java_of() {
  local runtime="$1" home out
  case "$runtime" in
    jdk17) echo "$JDK17/bin/java"; return ;;
    jdk25) echo "$JDK25/bin/java"; return ;;
    jlink17) home="$JDK17" ;;
    jlink25) home="$JDK25" ;;
    *) die "unknown runtime $runtime" ;;
  esac
  out="$RUN/$runtime"
  if [[ ! -x "$out/bin/java" ]]; then
    local modules
    modules="$("$home/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 "$JAR")" \
      || die "jdeps failed for $runtime"
    log "$runtime: jlink --add-modules $modules,jdk.crypto.ec,jdk.unsupported"
    "$home/bin/jlink" --add-modules "$modules,jdk.crypto.ec,jdk.unsupported" --strip-debug --no-man-pages \
      --no-header-files --compress=2 --output "$out" >"$RUN/$runtime-jlink.log" 2>&1 \
      || die "jlink failed for $runtime: $(tail -n 3 "$RUN/$runtime-jlink.log")"
    "$out/bin/java" -Xshare:dump >"$RUN/$runtime-dump.log" 2>&1 || die "-Xshare:dump failed for $runtime"
  fi
  echo "$out/bin/java"
}

# split_opts "OPTS...": JVM options into OPTS and NAME=VALUE words (environment, e.g. MALLOC_ARENA_MAX) into ENV
split_opts() {
  OPTS=() ENV=()
  local word
  for word in $1; do
    if [[ "$word" =~ ^[A-Z_]+= ]]; then ENV+=("$word"); else OPTS+=("$word"); fi
  done
}

# start_sluice LOG JAVA OPTION...: Sluice on CPU 0; PID to SLUICE_PID, the wall clock (ns) just before to T0
start_sluice() {
  local log="$1" java="$2"
  shift 2
  T0="$(date +%s%N)"
  start_pinned "$PROXY_CPU" env "${ENV[@]}" "$java" -XX:ActiveProcessorCount=1 "$@" "-Djava.library.path=$RUN/lib" \
    -jar "$JAR" run --config "$RUN/sluice.yaml" >>"$log" 2>&1 </dev/null
  SLUICE_PID=$LAST_PID
}

await_ready() { # prints ms from T0 to the first 200 from /readyz
  taskset -c "$LOAD_CPU" python3 "$FOOT_DIR/ready.py" "$admin" "$SLUICE_PID" "$T0" 60
}

# drive OUT SECONDS CONNS PATH [BODY]: one wrk run on the load CPU, bounded by SECONDS and MAX_REQUESTS
drive() {
  local out="$1" secs="$2" conns="$3" path="$4" body="${5:-}"
  timeout -k 5 $((secs + 30)) taskset -c "$LOAD_CPU" wrk -t1 "-c$conns" "-d${secs}s" --timeout 5s --latency \
    -s "$BOUNDED_LUA" "http://127.0.0.1:$path" -- "$body" "$MAX_REQUESTS" >"$out" 2>&1 || true
  grep -q '^BENCH ' "$out" || die "wrk gave no result: $(tail -n 3 "$out")"
}

field() { sed -n "s/^BENCH .*[[:space:]]$2=\([^[:space:]]*\).*/\1/p; s/^BENCH $2=\([^[:space:]]*\).*/\1/p" "$1" | head -n 1; }
rps() { awk -v n="$(field "$1" requests)" -v us="$(field "$1" duration_us)" 'BEGIN { printf "%.0f", n / (us / 1e6) }'; }
errors() { # non-2xx answers + socket errors of one wrk run
  echo $(($(field "$1" status) + $(field "$1" connect) + $(field "$1" read) + $(field "$1" write) + $(field "$1" timeout)))
}

per_request() { # CPU_S_BEFORE CPU_S_AFTER WRK_OUT: CPU µs per request answered in that wrk run
  awk -v b="$1" -v a="$2" -v n="$(field "$3" requests)" 'BEGIN { printf "%.1f", (a - b) * 1e6 / n }'
}

# mem PID: "VmRSS VmHWM RssAnon FILE" in MiB (one decimal), FILE = VmRSS - RssAnon: mapped files and shared memory
# (the JDK's libjvm.so, modules and class-data archives; a runtime on tmpfs counts as shared memory, not as file)
mem() {
  awk '/^(VmRSS|VmHWM|RssAnon):/ { v[$1] = $2 / 1024 }
    END { printf "%.1f %.1f %.1f %.1f", v["VmRSS:"], v["VmHWM:"], v["RssAnon:"], v["VmRSS:"] - v["RssAnon:"] }' "/proc/$1/status"
}

# train NAME KIND JAVA OPTION...: makes the class-data archive (CDS, JDK 17) or AOT cache (JDK 25) of KIND for
# configuration NAME, with the same runtime and options it runs with, and puts the option that uses it in USE
# (cds-*/aot-*: demo = a run of `sluice demo`, as the image's build did before; run = `sluice run` with two allowed
# GETs, a denied one and a /metrics scrape, stopped by SIGTERM, as the image's build does now; bench = Sluice under this script's GET
# and 64 KiB POST load, stopped by SIGTERM)
train() {
  local name="$1" kind="$2" java="$3"
  shift 3
  local file record use
  case "$kind" in
    cds-*) file="$RUN/$name.jsa" record="-XX:ArchiveClassesAtExit=$file" use="-XX:SharedArchiveFile=$file" ;;
    aot-*) file="$RUN/$name.aot" record="-XX:AOTCacheOutput=$file" use="-XX:AOTCache=$file" ;;
    *) die "unknown archive kind $kind" ;;
  esac
  log "$name: training run for $kind"
  case "$kind" in
    *-demo)
      (cd "$RUN" && taskset -c "$PROXY_CPU" env "${ENV[@]}" "$java" -XX:ActiveProcessorCount=1 "$@" "$record" \
        "-Djava.library.path=$RUN/lib" -jar "$JAR" demo >"$RUN/$name-train.log" 2>&1 </dev/null) \
        || die "$name: the training run (sluice demo) failed: $(tail -n 3 "$RUN/$name-train.log")"
      ;;
    *-run)
      start_sluice "$RUN/$name-train.log" "$java" "$@" "$record"
      await_ready >/dev/null || die "$name: Sluice did not get ready for training: $(tail -n 3 "$RUN/$name-train.log")"
      local path code
      for path in /api/small /api/small /denied; do
        code="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gateway$path")"
        [[ "$code" == "$([[ "$path" == /denied ]] && echo 403 || echo 200)" ]] \
          || die "$name: the training GET $path got $code"
      done
      curl -sS --max-time 10 -o /dev/null "http://127.0.0.1:$admin/metrics" || die "$name: the training scrape failed"
      stop_pid "$SLUICE_PID"
      ;;
    *-bench)
      start_sluice "$RUN/$name-train.log" "$java" "$@" "$record"
      await_ready >/dev/null || die "$name: Sluice did not get ready for training: $(tail -n 3 "$RUN/$name-train.log")"
      drive "$RUN/$name-train-get.txt" 5 64 "$gateway/api/small"
      drive "$RUN/$name-train-post.txt" 2 16 "$gateway/api/upload" "$RUN/body-64k.bin"
      stop_pid "$SLUICE_PID"
      ;;
  esac
  [[ -s "$file" ]] || die "$name: the training run wrote no $file: $(tail -n 3 "$RUN/$name-train.log")"
  log "$name: $(du -m "$file" | cut -f1) MiB archive"
  USE="$use"
}

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
max() { printf '%s\n' "$@" | sort -n | tail -n 1; }

# measure NAME: one configuration; appends a row to RUN/rows.tsv
measure() {
  local name="$1" runtime kind rest java i
  read -r runtime kind rest <<<"${CONFIG[$name]}"
  split_opts "${rest:-}"
  java="$(java_of "$runtime")"
  USE=""
  [[ "$kind" == none ]] || train "$name" "$kind" "$java" "${OPTS[@]}"
  local opts=("${OPTS[@]}")
  [[ -z "$USE" ]] || opts+=("$USE")
  local log="$RUN/$name.log" walls=() cpus=() ready
  : >"$log"
  for ((i = 1; i <= STARTS; i++)); do
    start_sluice "$log" "$java" "${opts[@]}"
    ready="$(await_ready)" || die "$name: not ready: $(tail -n 3 "$log")"
    walls+=("${ready% *}") cpus+=("${ready#* }")
    ((i == STARTS)) || stop_pid "$SLUICE_PID"
  done
  log "$name: ready after ${walls[*]} ms (CPU ${cpus[*]} ms)"
  sleep "$IDLE_SECS"
  local idle one
  idle="$(mem "$SLUICE_PID")"
  [[ "$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gateway/api/small")" == 200 ]] \
    || die "$name: GET /api/small through Sluice did not answer 200"
  sleep 1
  one="$(mem "$SLUICE_PID")"
  local scrape_ms scraped
  scrape_ms="$(curl -sS --max-time 10 -o /dev/null -w '%{time_total}' "http://127.0.0.1:$admin/metrics" \
    | awk '{ printf "%.0f", $1 * 1000 }')" || die "$name: GET /metrics on the admin listener failed"
  sleep 1
  scraped="$(mem "$SLUICE_PID")"
  drive "$RUN/$name-warmup.txt" "$WARMUP" 64 "$gateway/api/small"
  local before after
  before="$(python3 "$HERE/procstat.py" cpu "$SLUICE_PID")"
  drive "$RUN/$name-get64.txt" "$SECS" 64 "$gateway/api/small"
  after="$(python3 "$HERE/procstat.py" cpu "$SLUICE_PID")"
  drive "$RUN/$name-get1000.txt" "$SECS" 1000 "$gateway/api/small"
  local loaded
  loaded="$(mem "$SLUICE_PID")"
  alive "$SLUICE_PID" || die "$name: Sluice stopped under load"
  ((HOSTILE_SECS == 0)) || hostile "$name"
  stop_pid "$SLUICE_PID"
  local problems
  problems="$(grep -c -E 'ERROR|Exception|WARNING' "$log" || true)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$runtime" "$kind" \
    "${OPTS[*]} ${ENV[*]}" "$(median "${walls[@]}")" "$(max "${walls[@]}")" "$(median "${cpus[@]}")" "$idle" "$one" \
    "$scraped" "$scrape_ms" "$loaded" \
    "$(rps "$RUN/$name-get64.txt")" "$(per_request "$before" "$after" "$RUN/$name-get64.txt")" \
    "$(errors "$RUN/$name-get64.txt")/$(errors "$RUN/$name-get1000.txt")" "$(field "$RUN/$name-get1000.txt" p99_us)" \
    "$problems" >>"$RUN/rows.tsv"
  log "$name: idle RSS ${idle%% *} MiB, at 1,000 connections $loaded (RSS HWM anon file), $(rps "$RUN/$name-get64.txt") GET/s"
}

# hostile NAME: bad clients (slowloris, trickles, malformed, oversize, denied, floods) beside 16 good connections
# for HOSTILE_SECS; appends "NAME RSS HWM ANON FILE GOOD_RPS GOOD_ERRORS BAD_JSON" to RUN/hostile.tsv
hostile() {
  local name="$1" bad
  log "$name: ${HOSTILE_SECS}s of bad clients beside 16 good connections"
  start_pinned "$LOAD_CPU" python3 "$HERE/bad_clients.py" "$gateway" "$HOSTILE_SECS" >"$RUN/$name-bad.json" 2>&1
  bad=$LAST_PID
  drive "$RUN/$name-good.txt" "$HOSTILE_SECS" 16 "$gateway/api/small"
  reap "$bad" || log "$name: bad_clients.py ended with an error: $(tail -n 2 "$RUN/$name-bad.json")"
  alive "$SLUICE_PID" || die "$name: Sluice stopped under the bad clients"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$(mem "$SLUICE_PID")" "$(rps "$RUN/$name-good.txt")" \
    "$(errors "$RUN/$name-good.txt")" "$(tail -n 1 "$RUN/$name-bad.json")" >>"$RUN/hostile.tsv"
}

baseline_nginx() {
  start_nginx_proxy
  drive "$RUN/nginx-warmup.txt" 3 64 "$nginx_port/api/small"
  local before after
  before="$(python3 "$HERE/procstat.py" cpu "$NGINX_PID")"
  drive "$RUN/nginx-get64.txt" "$SECS" 64 "$nginx_port/api/small"
  after="$(python3 "$HERE/procstat.py" cpu "$NGINX_PID")"
  NGINX_RPS="$(rps "$RUN/nginx-get64.txt")"
  NGINX_US="$(per_request "$before" "$after" "$RUN/nginx-get64.txt")"
  NGINX_ERRORS="$(errors "$RUN/nginx-get64.txt")"
  NGINX_RSS="$(python3 "$HERE/procstat.py" rss "$NGINX_PID")"
  stop_pid "$NGINX_PID"
  log "nginx reverse proxy: $NGINX_RPS GET/s at $NGINX_US µs CPU each (errors $NGINX_ERRORS), RSS $((NGINX_RSS / 1024)) MiB"
}

report() {
  local commit new=0
  commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  mkdir -p "$(dirname "$OUT")"
  [[ -s "$OUT" ]] || new=1
  {
    if ((new)); then
      echo "# Sluice's footprint per JVM configuration, $DAY"
      echo
      echo "Written by \`bench/footprint/footprint.sh\` (see \`bench/footprint/README.md\`); each run is appended to this"
      echo "file with its own nginx baseline. Columns: start to the first 200 from \`/readyz\`, wall-clock median and max"
      echo "of the starts and the median CPU time the JVM had used by then (ms); RSS in MiB idle (a few seconds after"
      echo "ready), after one GET, after one /metrics scrape (the first: the JVM metrics are registered then; its time"
      echo "in ms), and at the end of a run of 1,000 keep-alive connections (wrk -c1000) with the peak"
      echo "(VmHWM) and that end RSS split into anonymous + file-backed; GET req/s with 64 connections after a warm-up"
      echo "and the ratio to nginx (reverse proxy, access log on, same CPU) in the same run; the Sluice process's CPU µs"
      echo "per GET in that run (nginx's in the run line); p99 of the 1,000-connection run; errors = non-2xx + socket"
      echo "errors of the 64- and the 1,000-connection runs; log = lines of the Sluice log with ERROR, Exception or"
      echo "WARNING."
    fi
    echo
    echo "## Run of $RUN_STARTED-$(date -u +%H:%M) UTC"
    echo
    echo "Sluice jar $(basename "$JAR") (sha256 $(sha256sum "$JAR" | cut -c1-12)), repository at $commit; $("$JDK17/bin/java" -version 2>&1 | sed -n 2p);"
    echo "$("$JDK25/bin/java" -version 2>&1 | sed -n 2p); $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1));"
    echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg). Sluice on CPU $PROXY_CPU with -XX:ActiveProcessorCount=1 and"
    echo "-Djava.library.path (the epoll library extracted once, as in the image); origin nginx, wrk and probes on CPU $LOAD_CPU."
    echo "$STARTS starts per configuration; idle RSS ${IDLE_SECS} s after ready; ${WARMUP} s warm-up, then ${SECS} s at 64 and ${SECS} s at 1,000 connections."
    echo "Baseline: nginx reverse proxy $NGINX_RPS GET/s at $NGINX_US µs CPU per GET (errors $NGINX_ERRORS), RSS $((NGINX_RSS / 1024)) MiB."
    echo
    echo "| configuration | archive | ready ms: median / max (CPU) | RSS idle | after 1 GET | after a scrape (its ms) | at 1,000 conns (peak) | anon + file at 1,000 | GET/s | vs nginx | CPU µs/GET | vs nginx | p99 ms at 1,000 | errors | log |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    local name runtime kind opts med mx cpu idle one scraped scrape_ms loaded r us errs p99 problems
    while IFS=$'\t' read -r name runtime kind opts med mx cpu idle one scraped scrape_ms loaded r us errs p99 problems; do
      read -r i_rss _ <<<"$idle"
      read -r o_rss _ <<<"$one"
      read -r s_rss _ <<<"$scraped"
      read -r l_rss l_hwm l_anon l_file <<<"$loaded"
      awk -v n="$name" -v k="$kind" -v med="$med" -v mx="$mx" -v c="$cpu" -v i="$i_rss" -v o="$o_rss" \
        -v s="$s_rss" -v sm="$scrape_ms" -v l="$l_rss" -v h="$l_hwm" -v a="$l_anon" -v f="$l_file" -v r="$r" -v base="$NGINX_RPS" -v us="$us" \
        -v nus="$NGINX_US" -v e="$errs" -v p="$p99" -v pr="$problems" 'BEGIN {
          printf "| %s | %s | %s / %s (%s) | %s | %s | %s (%s) | %s (%s) | %s + %s | %s | %.2f | %s | %.1f | %.0f | %s | %s |\n",
            n, k, med, mx, c, i, o, s, sm, l, h, a, f, r, r / base, us, us / nus, p / 1000, e, pr }'
    done <"$RUN/rows.tsv"
    if [[ -s "$RUN/hostile.tsv" ]]; then
      echo
      echo "Then ${HOSTILE_SECS} s of \`bench/load/bad_clients.py\` beside 16 good connections (GET), Sluice still alive after:"
      echo
      echo "| configuration | RSS at the end (peak) | anon + file | good GET/s | good errors | what the bad clients sent |"
      echo "|---|---:|---:|---:|---:|---|"
      local h_name h_mem h_rps h_err h_bad h_rss h_hwm h_anon h_file
      while IFS=$'\t' read -r h_name h_mem h_rps h_err h_bad; do
        read -r h_rss h_hwm h_anon h_file <<<"$h_mem"
        echo "| $h_name | $h_rss ($h_hwm) | $h_anon + $h_file | $h_rps | $h_err | \`$h_bad\` |"
      done <"$RUN/hostile.tsv"
    fi
    echo
    echo "Options (besides -XX:ActiveProcessorCount=1 and -Djava.library.path):"
    echo
    while IFS=$'\t' read -r name runtime kind opts _; do
      opts="${opts%"${opts##*[! ]}"}"
      echo "- \`$name\` ($runtime): \`${opts:-(none: launcher defaults)}\`"
    done <"$RUN/rows.tsv"
  } >>"$OUT"
  log "appended the run to $OUT"
}

main() {
  local parent=/tmp
  [[ -d /dev/shm && -w /dev/shm ]] && parent=/dev/shm
  RUN_STARTED="$(date -u +'%F %H:%M')"
  RUN="$(new_run_dir "$parent" sluice-footprint)"
  log "run folder: $RUN; configurations: ${SELECTED[*]}"
  for p in "$origin" "$nginx_port" "$gateway" "$admin"; do
    ! listening "$p" || die "port $p is taken: set PORT_BASE"
  done
  [[ -f "$JAR" ]] || { log "building Sluice: ${SLUICE_BUILD[*]}"; build_jar || die "the Sluice build failed"; }
  # Netty's epoll library out of the jar once, as the image does (no extraction to /tmp at every start)
  mkdir -p "$RUN/lib" "$RUN/jar"
  (cd "$RUN/jar" && "$JDK17/bin/jar" xf "$JAR" META-INF/native) || die "could not read $JAR"
  cp "$RUN"/jar/META-INF/native/libnetty_transport_native_epoll_"$(uname -m)".so "$RUN/lib/" \
    || die "no epoll library for $(uname -m) in $JAR"
  head -c 65536 /dev/urandom >"$RUN/body-64k.bin"
  write_policy
  : >"$RUN/rows.tsv"
  start_origin
  baseline_nginx
  local name
  for name in "${SELECTED[@]}"; do
    measure "$name"
  done
  report
}

main

#!/usr/bin/env bash
# bench/profile/profile.sh: CPU profiles of Sluice under load, where the microseconds of a request go. Starts an
# nginx origin and one Sluice on 127.0.0.1 (Sluice pinned to CPU 0; origin and wrk to CPU 1), warms Sluice up, then
# for a proxied GET (64 connections) and a 64 KiB POST (32 connections) records a CPU profile of the Sluice JVM with
# async-profiler while wrk drives the load, and Sluice's CPU seconds from /proc. flame.py turns each profile into a
# flame graph (SVG) and classifies the samples into parse, policy, relay, audit encode, hash chain, body SHA-256,
# syscalls, metrics, JVM (GC, JIT) and other. See bench/profile/README.md.
#
#   bench/profile/profile.sh [--quick]
#
# Env knobs: SECS (s of profiled load per workload, 20), MAX_REQUESTS (bound per profiled run, 1000000), WARMUP (s
# of unprofiled GET before the first profile, then of each workload before its profile, 30), INTERVAL (sampling
# interval in ns of CPU time, 1000000), PORT_BASE (28600), AP_VERSION (async-profiler from Maven Central, 4.1),
# SLUICE_JAVA_OPTS ("-Xms256m -Xmx256m"), SLUICE_JAR (the jar to profile: proxy/target/sluice.jar), DAY (date +%F: names the results), RESULTS_DIR (bench/results), KEEP_RUN
# (0: delete the run folder at the end).
#
# Needs wrk, nginx, taskset, java 17 (with jcmd), python3, curl, ss. Only 127.0.0.1 is used; every load is bounded
# in time and in requests; stops only the processes it started.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../load/lib.sh"
PROFILE_DIR="$ROOT/bench/profile"

SECS="${SECS:-20}"
MAX_REQUESTS="${MAX_REQUESTS:-1000000}"
WARMUP="${WARMUP:-30}"
INTERVAL="${INTERVAL:-1000000}"
PORT_BASE="${PORT_BASE:-28600}"
AP_VERSION="${AP_VERSION:-4.1}"
SLUICE_JAVA_OPTS="${SLUICE_JAVA_OPTS:--Xms256m -Xmx256m}"
DAY="${DAY:-$(date +%F)}"
RESULTS_DIR="${RESULTS_DIR:-$ROOT/bench/results}"
KEEP_RUN="${KEEP_RUN:-0}"

case "${1:-}" in
  --quick) SECS=5 WARMUP=5 ;;
  "") ;;
  *) echo "usage: bench/profile/profile.sh [--quick]" >&2; exit 2 ;;
esac
for v in SECS MAX_REQUESTS WARMUP INTERVAL PORT_BASE; do
  [[ "${!v}" =~ ^[0-9]+$ && "${!v}" -gt 0 ]] || { echo "profile.sh: $v must be a positive whole number" >&2; exit 2; }
done
require_tools profile.sh "Debian: apt-get install -y wrk nginx-light util-linux openjdk-17-jdk-headless python3 curl iproute2" \
  wrk nginx taskset java jcmd python3 curl ss

RUN=""
SLUICE_PID=""
origin=$PORT_BASE sink=$((PORT_BASE + 1)) gateway=$((PORT_BASE + 2))

trap finish_run EXIT
trap 'exit 130' INT TERM
die() { log "profile.sh: $*"; exit 1; }

# async_profiler_lib: extracts libasyncProfiler.so for this machine from the Maven Central jar (fetched into the
# local Maven repository if missing) into RUN, prints its path
async_profiler_lib() {
  local jar="$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar" arch
  if [[ ! -f "$jar" ]]; then
    log "fetching tools.profiler:async-profiler:$AP_VERSION into the local Maven repository"
    (cd "$ROOT" && ./mvnw -B -q dependency:get "-Dartifact=tools.profiler:async-profiler:$AP_VERSION") >&2 \
      || die "could not fetch tools.profiler:async-profiler:$AP_VERSION"
  fi
  case "$(uname -m)" in
    x86_64) arch=linux-x64 ;;
    aarch64) arch=linux-arm64 ;;
    *) die "async-profiler has no library for $(uname -m)" ;;
  esac
  python3 - "$jar" "$arch/libasyncProfiler.so" "$RUN/libasyncProfiler.so" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as jar, jar.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  echo "$RUN/libasyncProfiler.so"
}

start_origin() {
  # GET /api/small: a ~100-byte JSON body; POST /api/upload: nginx reads the whole body, then answers a small 200
  # (as bench/load/run.sh's default origin does: a proxy never sees the answer before it has sent the body)
  local small
  small="$(printf '{"status":"ok","service":"sluice-profile-origin","padding":"%s"}' "$(printf 'x%.0s' {1..40})")"
  origin_nginx_conf "$RUN" "$origin" 4096 "location = /api/small { default_type application/json; return 200 '$small\n'; }
    location = /api/upload { proxy_pass http://sink/ok; proxy_pass_request_body off; proxy_set_header Content-Length \"\";
      proxy_set_header Connection \"\"; proxy_http_version 1.1; }
    location / { return 404; }" \
    "client_max_body_size 4m; client_body_buffer_size 2m; keepalive_requests 1000000;
  upstream sink { server 127.0.0.1:$sink; keepalive 32; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$sink; location = /ok { default_type text/plain; return 200 \"ok\\n\"; } }"
  start_pinned "$LOAD_CPU" nginx -e "$RUN/nginx-error.log" -c "$RUN/nginx.conf" >"$RUN/nginx.out" 2>&1 </dev/null
  await_port "$origin" "$LAST_PID" 20 || die "the origin nginx did not start: $(tail -n 3 "$RUN/nginx-error.log" "$RUN/nginx.out" 2>&1)"
}

start_sluice() {
  cat >"$RUN/sluice.yaml" <<CONF
version: 1
allowPrivate: [127.0.0.0/8]
gateway:
  listen: 127.0.0.1:$gateway
  upstream: http://127.0.0.1:$origin
  timeouts: {shutdownGrace: 1s}
limits:
  maxRequestBodyBytes: 2MiB
audit:
  path: $RUN/audit.jsonl
rules:
  - name: central-api
    methods: [GET, POST]
    paths: ["/api/**"]
CONF
  local java_opts
  read -ra java_opts <<<"$SLUICE_JAVA_OPTS"
  # DebugNonSafepoints: without it the JIT records where inlined frames are only at safepoints, and samples land
  # on the wrong method; the agent is loaded now and started and stopped per workload through jcmd
  start_pinned "$PROXY_CPU" java -XX:ActiveProcessorCount=1 "${java_opts[@]}" -XX:+UnlockDiagnosticVMOptions \
    -XX:+DebugNonSafepoints "-agentpath:$LIB" -jar "$JAR" run --config "$RUN/sluice.yaml" --no-watch \
    >"$RUN/sluice.out" 2>"$RUN/sluice.log" </dev/null
  SLUICE_PID=$LAST_PID
  await_port "$gateway" "$SLUICE_PID" 90 || die "Sluice did not listen within 90 s: $(tail -n 3 "$RUN/sluice.log")"
  local get post
  get="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gateway/api/small")" || true
  post="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H 'Expect:' -H 'Content-Type: application/octet-stream' \
          --data-binary "@$RUN/body-64k.bin" "http://127.0.0.1:$gateway/api/upload")" || true
  [[ "$get $post" == "200 200" ]] || die "through Sluice, GET /api/small answered $get and POST 64 KiB $post (expected 200 200)"
}

# profiler COMMAND: one async-profiler command to the Sluice JVM; fails unless the agent says it succeeded
profiler() {
  local out
  # jcmd splits an unquoted argument at "=": the options go in quotes of their own
  out="$(jcmd "$SLUICE_PID" JVMTI.agent_load "$LIB" "\"$1\"" 2>&1)" || die "jcmd failed: $out"
  [[ "$out" == *"return code: 0"* ]] || die "async-profiler refused '$1': $out $(tail -n 3 "$RUN/sluice.out")"
}

# drive SECONDS CONNS PATH BODY OUT: one wrk run pinned to the load CPU, bounded by SECONDS and MAX_REQUESTS
drive() {
  timeout -k 5 $(($1 + 30)) taskset -c "$LOAD_CPU" wrk -t1 "-c$2" "-d$1s" --timeout 5s --latency \
    -s "$PROFILE_DIR/bounded.lua" "http://127.0.0.1:$gateway$3" -- "$4" "$MAX_REQUESTS" >"$5" 2>&1 || true
  grep -q '^BENCH ' "$5" || die "wrk gave no result: $(tail -n 3 "$5")"
}

field() { sed -n "s/^BENCH .*[[:space:]]$2=\([^[:space:]]*\).*/\1/p; s/^BENCH $2=\([^[:space:]]*\).*/\1/p" "$1" | head -n 1; }

# profile NAME CONNS PATH BODY: warm-up, then a profiled run; appends a line to RUN/phases.tsv
profile() {
  local name="$1" conns="$2" path="$3" body="$4" used
  log "$name: ${WARMUP}s warm-up, then ${SECS}s profiled (at most $MAX_REQUESTS requests), $conns connections"
  drive "$WARMUP" "$conns" "$path" "$body" "$RUN/$name-warmup.txt"
  : >"$RUN/audit.jsonl"  # what the warm-up wrote (the audit writer appends at the end of the emptied file)
  python3 "$HERE/procstat.py" begin "$SLUICE_PID" $$ "$RUN/cpu-$name.json"
  profiler "start,event=cpu,interval=$INTERVAL,threads"
  drive "$SECS" "$conns" "$path" "$body" "$RUN/$name.txt"
  profiler "stop,collapsed,file=$RUN/$name.collapsed"
  used="$(python3 "$HERE/procstat.py" end "$SLUICE_PID" $$ "$RUN/cpu-$name.json")"
  alive "$SLUICE_PID" || die "Sluice stopped during the $name run"
  local out="$RUN/$name.txt"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$(field "$out" requests)" "$(field "$out" duration_us)" \
    "${used%% *}" "$(field "$out" status)" \
    "$(( $(field "$out" connect) + $(field "$out" read) + $(field "$out" write) + $(field "$out" timeout) ))" \
    "$(field "$out" p50_us)" "$(field "$out" p99_us)" "$(echo "$used" | awk '{print $2}')" "$conns" >>"$RUN/phases.tsv"
  log "$name: $(field "$out" requests) requests in $(field "$out" duration_us) µs, Sluice CPU ${used%% *} s"
}

main() {
  local parent=/tmp
  [[ -d /dev/shm && -w /dev/shm ]] && parent=/dev/shm
  RUN="$(new_run_dir "$parent" sluice-profile)"
  log "run folder: $RUN"
  for p in "$origin" "$sink" "$gateway"; do
    ! listening "$p" || die "port $p is taken: set PORT_BASE"
  done
  [[ -f "$JAR" ]] || { log "building Sluice: ${SLUICE_BUILD[*]}"; build_jar || die "the Sluice build failed"; }
  LIB="$(async_profiler_lib)"
  head -c 65536 /dev/urandom >"$RUN/body-64k.bin"
  : >"$RUN/phases.tsv"
  start_origin
  start_sluice
  log "Sluice up on 127.0.0.1:$gateway (PID $SLUICE_PID), origin on $origin"
  profile get 64 /api/small ""
  profile post64k 32 /api/upload "$RUN/body-64k.bin"
  local commit dirty=""
  commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  git -C "$ROOT" diff --quiet HEAD -- policy proxy pom.xml 2>/dev/null || dirty=" + uncommitted changes"
  if [[ -n "${SLUICE_JAR:-}" ]]; then
    commit="jar $SLUICE_JAR (sha256 $(sha256sum "$JAR" | cut -c1-12))" dirty=""
  fi
  mkdir -p "$RESULTS_DIR"
  python3 "$PROFILE_DIR/flame.py" --run "$RUN" --out "$RESULTS_DIR" --day "$DAY" \
    --about "Sluice git $commit$dirty; $(java -version 2>&1 | head -n 1); async-profiler $AP_VERSION, event cpu, interval $INTERVAL ns; $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); Sluice on CPU $PROXY_CPU with -XX:ActiveProcessorCount=1 $SLUICE_JAVA_OPTS; nginx origin and wrk on CPU $LOAD_CPU; warm-up ${WARMUP}s, profiled ${SECS}s per workload" \
    --agent-log "$RUN/sluice.out" --interval "$INTERVAL"
  log "wrote $RESULTS_DIR/profile-$DAY.md, profile-$DAY-get.svg, profile-$DAY-post64k.svg"
}

main

#!/usr/bin/env bash
# bench/content/cost.sh: what content checks cost under load, and that requests which meet none pay nothing.
# Two Sluice policies on the same nginx origin, one at a time on CPU 0 (origin and wrk on CPU 1):
#   plain:   one rule, GET and POST under /api/**, no content checks;
#   content: the same rule, plus a rule for POST /api/results with content checks (types, json limits, the
#            protectedData index of the evaluation's 100,000-row data set, opaque: deny; mode report, so that every
#            request is inspected whole and still forwarded).
# Workloads: GET /api/small (64 connections) and POST 64 KiB to /api/upload (32 connections) on both policies
# (rules without content checks), and a 64 KiB JSON body to /api/results: unchecked (plain) and checked (content).
# Reported: requests/s, Sluice CPU µs per request, p99; median of REPS alternating runs. See bench/content/README.md.
#
#   bench/content/cost.sh [--quick]
#
# Env knobs: SECS (s per measured run, 10), WARMUP (s per workload before each measured run, 5), REPS (3),
# ROWS (data set rows, 100000), MAX_REQUESTS (bound per run, 2000000), PORT_BASE (28700), SLUICE_JAVA_OPTS
# ("-Xms256m -Xmx256m"), DAY (date +%F), RESULTS_DIR (bench/results), KEEP_RUN (0).
#
# Needs wrk, nginx, taskset, java 17, python3, curl, ss. Only 127.0.0.1 is used; every load is bounded in time and
# in requests; stops only the processes it started.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../load/lib.sh"
CONTENT_DIR="$ROOT/bench/content"
BOUNDED="$ROOT/bench/profile/bounded.lua"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"

SECS="${SECS:-10}"
WARMUP="${WARMUP:-5}"
REPS="${REPS:-3}"
ROWS="${ROWS:-100000}"
MAX_REQUESTS="${MAX_REQUESTS:-2000000}"
PORT_BASE="${PORT_BASE:-28700}"
SLUICE_JAVA_OPTS="${SLUICE_JAVA_OPTS:--Xms256m -Xmx256m}"
DAY="${DAY:-$(date +%F)}"
RESULTS_DIR="${RESULTS_DIR:-$ROOT/bench/results}"
KEEP_RUN="${KEEP_RUN:-0}"

case "${1:-}" in
  --quick) SECS=3 WARMUP=2 REPS=1 ROWS=20000 ;;
  "") ;;
  *) echo "usage: bench/content/cost.sh [--quick]" >&2; exit 2 ;;
esac
for v in SECS WARMUP REPS ROWS MAX_REQUESTS PORT_BASE; do
  [[ "${!v}" =~ ^[0-9]+$ && "${!v}" -gt 0 ]] || { echo "cost.sh: $v must be a positive whole number" >&2; exit 2; }
done
require_tools cost.sh "Debian: apt-get install -y wrk nginx-light util-linux python3 curl iproute2" \
  wrk nginx taskset java python3 curl ss

RUN=""
SLUICE_PID=""
origin=$PORT_BASE sink=$((PORT_BASE + 1)) gateway=$((PORT_BASE + 2))

trap finish_run EXIT
trap 'exit 130' INT TERM
die() { log "cost.sh: $*"; exit 1; }

start_origin() {
  # GET /api/small: a ~100-byte JSON body; a POST: nginx reads the whole body, then answers a small 200
  local small post
  small="$(printf '{"status":"ok","service":"sluice-content-origin","padding":"%s"}' "$(printf 'x%.0s' {1..40})")"
  post="proxy_pass http://sink/ok; proxy_pass_request_body off; proxy_set_header Content-Length \"\";
      proxy_set_header Connection \"\"; proxy_http_version 1.1;"
  origin_nginx_conf "$RUN" "$origin" 4096 "location = /api/small { default_type application/json; return 200 '$small\n'; }
    location = /api/upload { $post }
    location = /api/results { $post }
    location / { return 404; }" \
    "client_max_body_size 4m; client_body_buffer_size 2m; keepalive_requests 1000000;
  upstream sink { server 127.0.0.1:$sink; keepalive 32; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$sink; location = /ok { default_type text/plain; return 200 \"ok\\n\"; } }"
  start_pinned "$LOAD_CPU" nginx -e "$RUN/nginx-error.log" -c "$RUN/nginx.conf" >"$RUN/nginx.out" 2>&1 </dev/null
  await_port "$origin" "$LAST_PID" 20 || die "the origin nginx did not start: $(tail -n 3 "$RUN/nginx-error.log" "$RUN/nginx.out" 2>&1)"
}

# write_policy NAME: RUN/NAME.yaml
write_policy() {
  local content_rule=""
  if [[ "$1" == content ]]; then
    content_rule="  - name: results
    methods: [POST]
    paths: [/api/results]
    content:
      mode: report
      types: [application/json]
      json: {maxDepth: 8, maxArrayLength: 100000, maxNumbers: 100000}
      protectedData: {index: patients.sfp, maxRows: 0, maxRareValues: 0}
      opaque: deny
"
  fi
  cat >"$RUN/$1.yaml" <<CONF
version: 1
allowPrivate: [127.0.0.0/8]
gateway:
  listen: 127.0.0.1:$gateway
  upstream: http://127.0.0.1:$origin
  timeouts: {shutdownGrace: 1s}
limits:
  maxRequestBodyBytes: 2MiB
audit:
  path: $RUN/audit-$1.jsonl
rules:
$content_rule  - name: central-api
    methods: [GET, POST]
    paths: ["/api/**"]
CONF
}

# start_sluice POLICY: one Sluice on the gateway port with RUN/POLICY.yaml; checks one request of each workload
start_sluice() {
  local java_opts
  read -ra java_opts <<<"$SLUICE_JAVA_OPTS"
  start_pinned "$PROXY_CPU" java -XX:ActiveProcessorCount=1 "${java_opts[@]}" -jar "$JAR" run \
    --config "$RUN/$1.yaml" --no-watch >"$RUN/sluice-$1.out" 2>"$RUN/sluice-$1.log" </dev/null
  SLUICE_PID=$LAST_PID
  await_port "$gateway" "$SLUICE_PID" 90 || die "Sluice ($1) did not listen within 90 s: $(tail -n 3 "$RUN/sluice-$1.log")"
  local got
  got="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gateway/api/small") $(
    curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -H 'Expect:' -H 'Content-Type: application/json' \
      --data-binary "@$RUN/body-64k.json" "http://127.0.0.1:$gateway/api/results")" || true
  [[ "$got" == "200 200" ]] || die "through Sluice ($1), GET and the JSON POST answered $got (expected 200 200)"
}

# drive SECONDS CONNS PATH BODY TYPE OUT: one wrk run pinned to the load CPU, bounded by SECONDS and MAX_REQUESTS
drive() {
  timeout -k 5 $(($1 + 30)) taskset -c "$LOAD_CPU" wrk -t1 "-c$2" "-d$1s" --timeout 5s --latency \
    -s "$BOUNDED" "http://127.0.0.1:$gateway$3" -- "$4" "$MAX_REQUESTS" "$5" >"$6" 2>&1 || true
  grep -q '^BENCH ' "$6" || die "wrk gave no result: $(tail -n 3 "$6")"
}

field() { sed -n "s/^BENCH .*[[:space:]]$2=\([^[:space:]]*\).*/\1/p; s/^BENCH $2=\([^[:space:]]*\).*/\1/p" "$1" | head -n 1; }

# measure POLICY REP WORKLOAD CONNS PATH BODY TYPE: warm-up, then a measured run; one line to RUN/runs.tsv
measure() {
  local policy="$1" rep="$2" name="$3" conns="$4" path="$5" body="$6" type="$7" out used
  out="$RUN/$policy-$name-$rep.txt"
  drive "$WARMUP" "$conns" "$path" "$body" "$type" "$RUN/warmup.txt"
  python3 "$HERE/procstat.py" begin "$SLUICE_PID" $$ "$RUN/cpu.json"
  drive "$SECS" "$conns" "$path" "$body" "$type" "$out"
  used="$(python3 "$HERE/procstat.py" end "$SLUICE_PID" $$ "$RUN/cpu.json")"
  alive "$SLUICE_PID" || die "Sluice stopped during $policy $name"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$policy" "$name" "$rep" "$(field "$out" requests)" \
    "$(field "$out" duration_us)" "${used%% *}" "$(field "$out" status)" \
    "$(( $(field "$out" connect) + $(field "$out" read) + $(field "$out" write) + $(field "$out" timeout) ))" \
    "$(field "$out" p99_us)" >>"$RUN/runs.tsv"
  log "$policy $name #$rep: $(field "$out" requests) requests, Sluice CPU ${used%% *} s"
}

main() {
  local parent=/tmp
  [[ -d /dev/shm && -w /dev/shm ]] && parent=/dev/shm
  RUN="$(new_run_dir "$parent" sluice-content-cost)"
  log "run folder: $RUN"
  for p in "$origin" "$sink" "$gateway"; do
    ! listening "$p" || die "port $p is taken: set PORT_BASE"
  done
  [[ -f "$JAR" ]] || { log "building Sluice: ${SLUICE_BUILD[*]}"; build_jar || die "the Sluice build failed"; }
  if [[ ! -f "$BENCH_JAR" ]]; then
    log "building the benchmarks jar"
    (cd "$ROOT" && ./mvnw -B -q -DskipTests -pl bench -am package) || die "the bench build failed"
  fi
  log "generating the $ROWS-row data set and its fingerprint index"
  java -cp "$BENCH_JAR" org.sluice.bench.content.ContentEvaluation --rows "$ROWS" --csv "$RUN/patients.csv" \
    --out "$RUN/evaluation.md" >"$RUN/evaluation.log" 2>&1 || die "the data set could not be generated: $(tail -n 3 "$RUN/evaluation.log")"
  java -jar "$JAR" fingerprint build --csv "$RUN/patients.csv" --out "$RUN/patients.sfp" >"$RUN/fingerprint.log" 2>&1 \
    || die "sluice fingerprint build failed: $(tail -n 3 "$RUN/fingerprint.log")"
  # 64 KiB of octets (no content rule), and a 64 KiB JSON result: a model's weights, numbers the data set does not hold
  head -c 65536 /dev/urandom >"$RUN/body-64k.bin"
  python3 - "$RUN/body-64k.json" <<'PY'
import random, sys
rng = random.Random(18)
weights, size = [], 20
while size < 65536 - 16:
    w = "%.6f" % rng.gauss(0, 0.05)
    weights.append(w)
    size += len(w) + 1
body = '{"model":"logreg","weights":[' + ",".join(weights) + ']}'
open(sys.argv[1], "w").write(body)
PY
  write_policy plain
  write_policy content
  : >"$RUN/runs.tsv"
  start_origin
  local rep policy
  for ((rep = 1; rep <= REPS; rep++)); do
    for policy in plain content; do
      start_sluice "$policy"
      log "Sluice ($policy policy) up on 127.0.0.1:$gateway (PID $SLUICE_PID)"
      measure "$policy" "$rep" get 64 /api/small "" ""
      measure "$policy" "$rep" post64k 32 /api/upload "$RUN/body-64k.bin" application/octet-stream
      measure "$policy" "$rep" json64k 32 /api/results "$RUN/body-64k.json" application/json
      stop_pid "$SLUICE_PID"
      local deadline=$((SECONDS + 15))
      while listening "$gateway" && ((SECONDS < deadline)); do sleep 0.2; done
    done
  done
  local commit dirty=""
  commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  git -C "$ROOT" diff --quiet HEAD -- policy proxy pom.xml 2>/dev/null || dirty=" + uncommitted changes"
  mkdir -p "$RESULTS_DIR"
  python3 "$CONTENT_DIR/cost_report.py" "$RUN/runs.tsv" "$RUN/patients.sfp" "$ROWS" \
    "Sluice git $commit$dirty; $(java -version 2>&1 | head -n 1); $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); Sluice on CPU $PROXY_CPU with -XX:ActiveProcessorCount=1 $SLUICE_JAVA_OPTS; nginx origin and wrk on CPU $LOAD_CPU; $REPS x ${SECS}s per cell after ${WARMUP}s warm-up; data set $ROWS rows" \
    >"$RESULTS_DIR/content-cost-$DAY.md"
  log "wrote $RESULTS_DIR/content-cost-$DAY.md"
}

main

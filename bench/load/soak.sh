#!/usr/bin/env bash
# Bounded soak: well-behaved GETs (wrk, 16 connections) while bad clients (bad_clients.py: slowloris, trickled
# bodies, malformed and smuggling requests, oversize bodies, denied paths, connection floods) hammer the same
# gateway, for SECONDS (default 600). Sluice on CPU 0, origin, wrk and the bad clients on CPU 1, all on 127.0.0.1.
# Reports the good clients' req/s and latency, Sluice's heap and RSS before, every SAMPLE_EVERY seconds (60) and
# after, and what the bad clients got. Usage: bench/load/soak.sh [SECONDS]
# SLUICE_JAVA_OPTS: Sluice's JVM options ("-Xmx256m"); the image's sidecar options are
# "-Xmx48m -Xmn12m -Xss256k -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError".
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
secs="${1:-600}"
sample_every="${SAMPLE_EVERY:-60}"
read -ra java_opts <<<"${SLUICE_JAVA_OPTS:--Xmx256m}"
[[ "$secs" =~ ^[0-9]+$ && "$sample_every" =~ ^[0-9]+$ && "$sample_every" -gt 0 ]] \
  || { echo "soak.sh: SECONDS and SAMPLE_EVERY must be whole numbers (SAMPLE_EVERY above 0)" >&2; exit 2; }
require_tools soak.sh "" wrk nginx taskset java python3 curl
[[ -f "$JAR" ]] || build_jar
run="$(new_run_dir /tmp sluice-soak)"
origin=28500 gateway=28501 admin=28502
trap stop_started EXIT

ok='{"status":"ok"}'
origin_nginx_conf "$run" "$origin" 8192 "location /api/ { default_type application/json; return 200 '$ok'; }" \
  "client_max_body_size 4m;"
cat >"$run/sluice.yaml" <<CONF
version: 1
allowPrivate: [127.0.0.0/8]
gateway:
  listen: 127.0.0.1:$gateway
  upstream: http://127.0.0.1:$origin
  maxConnectionsPerClient: 2000
  timeouts: {requestHeader: 5s, minBodyRate: 1KiB}
admin:
  listen: 127.0.0.1:$admin
audit:
  path: $run/audit.jsonl
limits:
  maxRequestBodyBytes: 64KiB
rules:
  - name: api
    methods: [GET, POST]
    paths: ["/api/**"]
CONF

start_pinned "$LOAD_CPU" nginx -c "$run/nginx.conf"
start_pinned "$PROXY_CPU" java -XX:ActiveProcessorCount=1 "${java_opts[@]}" -jar "$JAR" run --config "$run/sluice.yaml" --no-watch \
  >"$run/sluice.log" 2>&1
sluice_pid=$LAST_PID
sleep 6

heap() { curl -s "http://127.0.0.1:$admin/metrics" | awk '/^jvm_memory_used_bytes\{area="heap"\}/ {printf "%.0f", $2 / 1048576}'; }
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$sluice_pid/status"; }

taskset -c "$LOAD_CPU" wrk -t1 -c16 -d10s "http://127.0.0.1:$gateway/api/small" >/dev/null  # warm-up
before_heap="$(heap)"; before_rss="$(rss)"
start_pinned "$LOAD_CPU" python3 "$HERE/bad_clients.py" "$gateway" "$secs" >"$run/bad.json"
bad=$LAST_PID
# Heap and RSS while it runs: does memory level off? (bounded: one sample per period of the run, then it ends)
: >"$run/samples.txt"
(
  for ((t = sample_every; t < secs; t += sample_every)); do
    sleep "$sample_every"
    echo "$t $(heap) $(rss)" >>"$run/samples.txt"
  done
) &
sampler=$!
taskset -c "$LOAD_CPU" wrk -t1 -c16 -d"${secs}s" --latency "http://127.0.0.1:$gateway/api/small" >"$run/good.txt"
reap "$bad" || true
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
sleep 5
after_heap="$(heap)"; after_rss="$(rss)"
sluice_alive="yes"; alive "$sluice_pid" || sluice_alive="NO" # a crashed Sluice not yet reaped is a zombie, not alive
ready="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin/readyz")"

echo "## Soak, $secs s ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "| | value |"
echo "|---|---|"
echo "| good clients (16 conns): req/s | $(awk '/Requests\/sec/ {print $2}' "$run/good.txt") |"
echo "| good clients: p50 / p99 | $(awk '$1 == "50%" {p50=$2} $1 == "99%" {p99=$2} END {print p50 " / " p99}' "$run/good.txt") |"
echo "| good clients: errors, non-2xx | $(grep -E 'Socket errors|Non-2xx' "$run/good.txt" | tr '\n' ' ' | sed 's/  */ /g') |"
echo "| Sluice JVM options | \`${java_opts[*]}\` |"
echo "| Sluice heap used before / after (MiB) | $before_heap / $after_heap |"
echo "| Sluice RSS before / after (MiB) | $before_rss / $after_rss |"
echo "| Sluice RSS max of the samples (MiB) | $(awk 'BEGIN {m = 0} $3 > m {m = $3} END {print m}' "$run/samples.txt") |"
echo "| Sluice alive, /readyz after | $sluice_alive, $ready |"
echo "| audit lines (rotated files included) | $(cat "$run"/audit*.jsonl | wc -l) |"
echo "| bad clients sent | \`$(cat "$run/bad.json")\` |"
echo
echo "Heap used and RSS during the run (MiB), every $sample_every s:"
echo
echo "| s | heap used | RSS |"
echo "|---:|---:|---:|"
awk '{print "| " $1 " | " $2 " | " $3 " |"}' "$run/samples.txt"
echo
echo "(files and logs: $run)"

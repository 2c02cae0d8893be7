#!/usr/bin/env bash
# Forward-proxy comparison: plain-HTTP GET through Sluice's forward listener and through Squid as a forward proxy
# (no cache), against direct, in one session. Proxies on CPU 0, origin (nginx) and wrk on CPU 1. Traffic stays on
# 127.0.0.1. Both proxies get one unreported warm-up run, then req/s and mean latency per repetition.
# Usage: bench/load/forward.sh [REPETITIONS (default 3)] [SECONDS per run (default 8)]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
reps="${1:-3}"
secs="${2:-8}"
require_tools forward.sh "Debian: apt-get install -y wrk nginx squid util-linux" wrk nginx squid taskset java
[[ -f "$JAR" ]] || build_jar
run="$(new_run_dir /tmp sluice-forward-bench)"
origin=28400 squid_port=28401 sluice_port=28402 gateway_port=28403
trap stop_started EXIT

small='{"status":"ok","padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}'
origin_nginx_conf "$run" "$origin" 4096 "location /api/small { default_type application/json; return 200 '$small'; }"
squid_user="$(squid_user_line "$run")"
cat >"$run/squid.conf" <<CONF
$squid_user
workers 1
http_port 127.0.0.1:$squid_port
acl local_client src 127.0.0.1
acl origin dst 127.0.0.1
acl origin_port port $origin
http_access allow local_client origin origin_port
http_access deny all
$(squid_housekeeping "$run" squid- sluice-forward-bench)
CONF
cat >"$run/sluice.yaml" <<CONF
version: 1
allowPrivate: [127.0.0.0/8]
gateway:
  listen: 127.0.0.1:$gateway_port
  upstream: http://127.0.0.1:$origin
forward:
  listen: 127.0.0.1:$sluice_port
  maxConnectionsPerClient: 30000
  dns: {servers: ["127.0.0.1:53"]}
audit:
  path: $run/audit.jsonl
rules:
  - name: origin
    methods: [GET]
    paths: ["/api/**"]
    hosts: [127.0.0.1]
    ports: [$origin]
CONF
cat >"$run/forward.lua" <<CONF
wrk.path = "http://127.0.0.1:$origin/api/small"
wrk.headers["Host"] = "127.0.0.1:$origin"
CONF

start_pinned "$LOAD_CPU" nginx -c "$run/nginx.conf"
start_pinned "$PROXY_CPU" squid -N -f "$run/squid.conf"
start_pinned "$PROXY_CPU" java -XX:ActiveProcessorCount=1 -jar "$JAR" run --config "$run/sluice.yaml" --no-watch >"$run/sluice.log" 2>&1
sleep 6

measure() { taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"${secs}s" "$@" 2>&1 | awk '/Latency/ {lat=$2} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} END {printf "%s req/s, mean latency %s%s", rps, lat, (bad ? ", non-2xx " bad : "")}'; }
# Warm-up, not reported: the JVM compiles its hot paths in the first tens of thousands of requests.
measure -s "$run/forward.lua" "http://127.0.0.1:$sluice_port" >/dev/null
measure -s "$run/forward.lua" "http://127.0.0.1:$squid_port" >/dev/null
echo "| repetition | direct | Sluice forward | Squid forward |"
echo "|---|---|---|---|"
for ((r = 1; r <= reps; r++)); do
  d="$(measure "http://127.0.0.1:$origin/api/small")"
  s="$(measure -s "$run/forward.lua" "http://127.0.0.1:$sluice_port")"
  q="$(measure -s "$run/forward.lua" "http://127.0.0.1:$squid_port")"
  echo "| $r | $d | $s | $q |"
done
echo "(files, logs and Sluice's audit log: $run)"

#!/usr/bin/env bash
# Forward-proxy comparison: plain-HTTP GET through Sluice's forward listener and through Squid as a forward proxy
# (no cache), against direct, in one session. Proxies on CPU 0, origin (nginx) and wrk on CPU 1. Traffic stays on
# 127.0.0.1. Both proxies get one unreported warm-up run, then req/s and mean latency per repetition.
# Usage: bench/load/forward.sh [REPETITIONS (default 3)] [SECONDS per run (default 8)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
reps="${1:-3}"
secs="${2:-8}"
for tool in wrk nginx squid taskset java; do
  command -v "$tool" >/dev/null || { echo "forward.sh: needs $tool (Debian: apt-get install -y wrk nginx squid util-linux)" >&2; exit 2; }
done
jar="$root/proxy/target/sluice.jar"
[[ -f "$jar" ]] || (cd "$root" && ./mvnw -B -q -pl proxy -am package -DskipTests)
run="$(mktemp -d /tmp/sluice-forward-bench.XXXXXX)"
chmod 755 "$run"
origin=28400 squid_port=28401 sluice_port=28402 gateway_port=28403
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

cat >"$run/nginx.conf" <<CONF
worker_processes 1;
pid $run/nginx.pid;
error_log $run/nginx-error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$origin; keepalive_requests 1000000;
    location /api/small { default_type application/json; return 200 '{"status":"ok","padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}'; }
  }
}
CONF
cat >"$run/squid.conf" <<CONF
workers 1
http_port 127.0.0.1:$squid_port
acl local_client src 127.0.0.1
acl origin dst 127.0.0.1
acl origin_port port $origin
http_access allow local_client origin origin_port
http_access deny all
cache deny all
cache_mem 8 MB
access_log stdio:$run/squid-access.log
cache_log $run/squid-cache.log
cache_store_log none
pid_filename $run/squid.pid
coredump_dir $run
netdb_filename none
logfile_rotate 0
pinger_enable off
icp_port 0
htcp_port 0
dns_nameservers 127.0.0.1
visible_hostname sluice-forward-bench
shutdown_lifetime 1 seconds
CONF
if ((EUID == 0)); then chown -R proxy:proxy "$run" 2>/dev/null && echo "cache_effective_user proxy" >>"$run/squid.conf"; fi
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

taskset -c 1 nginx -c "$run/nginx.conf" & pids+=($!)
taskset -c 0 squid -N -f "$run/squid.conf" & pids+=($!)
taskset -c 0 java -XX:ActiveProcessorCount=1 -jar "$jar" run --config "$run/sluice.yaml" --no-watch >"$run/sluice.log" 2>&1 & pids+=($!)
sleep 6

measure() { taskset -c 1 wrk -t1 -c64 -d"${secs}s" "$@" 2>&1 | awk '/Latency/ {lat=$2} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} END {printf "%s req/s, mean latency %s%s", rps, lat, (bad ? ", non-2xx " bad : "")}'; }
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

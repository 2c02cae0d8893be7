#!/usr/bin/env bash
# bench/hostile/run.sh: the hostile request corpus against Sluice, nginx, HAProxy and Squid, each a plain
# reverse proxy in front of its own raw recording upstream on 127.0.0.1. See bench/hostile/README.md.
#
#   bench/hostile/run.sh [--no-split] [--only TEXT] [--proxies sluice,nginx,haproxy,squid]
#
# Env: RESULTS_DIR (bench/results), KEEP_RUN (0: delete the temporary folder with the proxies' configs and
# logs at the end; 1: keep it). Installs nothing; a proxy that is not installed is skipped and named in the
# table. Only 127.0.0.1 is used. Writes RESULTS_DIR/hostile-peers.md and prints its summary.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd "$HERE/../.." && pwd -P)"
JAR="$ROOT/proxy/target/sluice.jar"
CORPUS="$ROOT/proxy/src/test/resources/hostile/corpus.txt"
RESULTS_DIR="${RESULTS_DIR:-$ROOT/bench/results}"
KEEP_RUN="${KEEP_RUN:-0}"

RUN=""
PY_PID=""

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

usage() { # the comment block at the top of this file
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
}

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  if [[ -n "$PY_PID" ]] && kill -0 "$PY_PID" 2>/dev/null; then
    kill -TERM "$PY_PID" 2>/dev/null || true  # it stops the proxies it started
    for ((i = 0; i < 200; i++)); do
      kill -0 "$PY_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$PY_PID" 2>/dev/null && kill -KILL "$PY_PID" 2>/dev/null
    wait "$PY_PID" 2>/dev/null || true
  fi
  if [[ -n "$RUN" && -d "$RUN" ]]; then
    if [[ "$KEEP_RUN" == 1 ]]; then
      log "run folder kept: $RUN"
    else
      rm -rf "$RUN"
    fi
  fi
  exit "$rc"
}

java_major() {
  local v
  v="$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
  if [[ "$v" =~ ^1\.([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"
  elif [[ "$v" =~ ^([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"
  else echo 0; fi
}

main() {
  local arg
  for arg in "$@"; do
    if [[ "$arg" == -h || "$arg" == --help ]]; then usage; exit 0; fi
  done
  command -v python3 >/dev/null 2>&1 || { log "needs python3 (3.11 or newer)"; exit 2; }
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { log "needs Python 3.11 or newer"; exit 2; }
  if ! command -v java >/dev/null 2>&1 || (($(java_major) < 17)); then
    log "needs a JDK 17 or newer on PATH"
    exit 2
  fi
  local tool
  for tool in nginx haproxy squid; do
    command -v "$tool" >/dev/null 2>&1 || log "$tool is not installed: it will be skipped (Debian: apt-get install -y $tool)"
  done

  if [[ ! -f "$JAR" ]]; then
    log "building Sluice: ./mvnw -B -q -DskipTests -pl proxy -am package"
    (cd "$ROOT" && ./mvnw -B -q -DskipTests -pl proxy -am package)
  fi

  trap cleanup EXIT INT TERM
  local parent=/tmp
  [[ -d /dev/shm && -w /dev/shm ]] && parent=/dev/shm
  RUN="$(mktemp -d "$parent/sluice-hostile.XXXXXX")"
  chmod 755 "$RUN"  # Squid drops to the proxy user when started as root
  mkdir -p "$RESULTS_DIR"

  python3 "$HERE/peers.py" --work "$RUN" --jar "$JAR" --corpus "$CORPUS" \
    --out "$RESULTS_DIR/hostile-peers.md" "$@" &
  PY_PID=$!
  local rc=0
  wait "$PY_PID" || rc=$?
  PY_PID=""
  return "$rc"
}

main "$@"

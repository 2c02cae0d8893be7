#!/usr/bin/env bash
# bench/content/evaluate.sh: the content checks' evaluation (issue 18, item 4). Generates the protected data set
# (100,000 seeded rows), builds its fingerprint index, runs the attack and legitimate suites through the engine and
# scanner the proxy uses, and writes the report. See bench/README.md, "Content checks: the evaluation".
#
#   bench/content/evaluate.sh [--rows N] [--seed S] [--csv FILE.csv]
#
# Env knobs: OUT (the report; bench/results/content-eval-<UTC date>.md), JAVA_OPTS ("-Xmx1g"), REBUILD (1: build
# the benchmarks jar even when it is newer than the sources). Installs nothing; uses no network.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/bench/target/benchmarks.jar"
OUT="${OUT:-$ROOT/bench/results/content-eval-$(date -u +%F).md}"
JAVA_OPTS="${JAVA_OPTS:--Xmx1g}"

stale() {
  [[ ! -f "$JAR" || "${REBUILD:-0}" == 1 ]] && return 0
  [[ -n "$(find "$ROOT/policy/src/main" "$ROOT/proxy/src/main" "$ROOT/bench/src/main" -newer "$JAR" -type f \
    -print -quit)" ]]
}

if stale; then
  echo "building bench/target/benchmarks.jar" >&2
  (cd "$ROOT" && ./mvnw -B -q -pl bench -am package -DskipTests)
fi

mkdir -p "$(dirname "$OUT")"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java $JAVA_OPTS -cp "$JAR" org.sluice.bench.content.ContentEvaluation --out "$OUT" "$@"

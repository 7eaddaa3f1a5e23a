#!/usr/bin/env bash
# Wall time of `berth version`: 20 runs after a warm-up, prints the median (and min/max) in ms.
# Usage: bench/cli-startup.sh [path/to/berth] [runs]. Build first: ./mvnw -B -q -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
berth=${1:-dist/target/berth/bin/berth}
runs=${2:-20}
[ -x "$berth" ] || { echo "cli-startup: $berth not found; build with ./mvnw -B -q -DskipTests package" >&2; exit 1; }

# The first run records the AOT cache in the background; wait for it so we time the steady state.
"$berth" version >/dev/null
for _ in $(seq 100); do
  compgen -G "$(dirname "$(readlink -f "$berth")")/../lib/aot/*.lock" >/dev/null || break
  sleep 0.1
done
"$berth" version >/dev/null

times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$berth" version >/dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk -v n="$runs" 'NR == int((n + 1) / 2) { print }')
echo "berth version: median ${median} ms over ${runs} runs (min $(echo "$sorted" | head -1), max $(echo "$sorted" | tail -1))"

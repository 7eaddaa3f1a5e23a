#!/usr/bin/env bash
# Start-up of the berth CLI: wall time of `berth version --client` (no daemon), and of
# `berth version` / `berth images` against a running berthd, side by side with the stock docker CLI
# against the same berthd. Medians of N runs after a warm-up. Not a test.
#   bench/cli-startup.sh [runs]     (build first: ./mvnw -B -q -DskipTests package)
set -euo pipefail
runs=${1:-20}
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
source "$(dirname "$0")/lib.sh"
trap cleanup_all EXIT
setup_berth   # starts berthd with a private root and socket
DOCKER_BERTH=(env DOCKER_HOST="$BERTH_HOST" DOCKER_CONFIG="$work/docker-cli" docker)

# The first run records the AOT cache in the background; wait for it so we time the steady state.
"$BERTH" version --client >/dev/null
for _ in $(seq 100); do
  compgen -G "$(dirname "$(readlink -f "$BERTH")")/../lib/aot/*.lock" >/dev/null || break
  sleep 0.1
done

measure() { # label cmd...
  local label=$1; shift
  "$@" >/dev/null 2>&1 || true
  local t=()
  for _ in $(seq "$runs"); do t+=("$(time_ms "$@")"); done
  printf '%-34s %6s ms\n' "$label" "$(median "${t[@]}")"
  LAST=$(median "${t[@]}")
}
measure "berth version --client" "$BERTH" version --client
measure "berth version (daemon)" "$BERTH" version; bv=$LAST
measure "docker version (same daemon)" "${DOCKER_BERTH[@]}" version; dv=$LAST
measure "berth images" "$BERTH" images; bi=$LAST
measure "docker images (same daemon)" "${DOCKER_BERTH[@]}" images; di=$LAST
echo "ratio berth/docker-CLI: version $(ratio "$dv" "$bv")x, images $(ratio "$di" "$bi")x (above 1: berth is slower)"

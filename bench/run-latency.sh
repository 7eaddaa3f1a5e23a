#!/usr/bin/env bash
# Start latency: N sequential `run --rm busybox true` with berth, with the stock docker CLI against
# berthd, with podman, and with a real dockerd (Debian's docker.io), all on runc. Prints medians
# and ratios (peer time / berth time: above 1 means berth is faster). Then density: M containers
# `run -d busybox sleep 1000`, the time to start them all and the daemon's resident memory, berth
# vs podman. Not a test.   N=50 M=100 bench/run-latency.sh
set -euo pipefail
N=${N:-50}
M=${M:-100}
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
source "$(dirname "$0")/lib.sh"
trap cleanup_all EXIT

rootfs=$work/rootfs; mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev}
cp /bin/busybox "$rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"; echo 'root:x:0:' >"$rootfs/etc/group"
tar --sort=name --owner=0 --group=0 -C "$rootfs" -cf "$work/busybox.tar" .

setup_berth; setup_podman; setup_docker
DOCKER_BERTH=(env DOCKER_HOST="$BERTH_HOST" DOCKER_CONFIG="$work/docker-cli" docker)
"$BERTH" import --change 'CMD ["sh"]' "$work/busybox.tar" busybox:latest >/dev/null
"${PODMAN[@]}" import "${PODMAN_POLICY[@]}" --change 'CMD ["sh"]' "$work/busybox.tar" busybox:latest >/dev/null
"${DOCKER[@]}" import --change 'CMD ["sh"]' "$work/busybox.tar" busybox:latest >/dev/null

series() { # label cmd... : N runs, prints the median
  local t=()
  "$@" >/dev/null 2>&1 || { echo "bench: '$*' fails:" >&2; "$@" >&2 || true; return 1; }
  for _ in $(seq "$N"); do t+=("$(time_ms "$@")"); done
  median "${t[@]}"
}
b=$(series "$BERTH" run --rm --network none busybox true)
bd=$(series "${DOCKER_BERTH[@]}" run --rm --network none busybox true)
p=$(series "${PODMAN[@]}" run --rm --network none busybox true)
d=$(series "${DOCKER[@]}" run --rm --network none busybox true)
printf '\nrun --rm busybox true, median of %s (ms)\n' "$N"
printf '%-28s %6s\n' "berth CLI" "$b" "docker CLI -> berthd" "$bd" "podman" "$p" "docker CLI -> dockerd" "$d"
echo "ratio podman/berth $(ratio "$b" "$p")x, dockerd/berth $(ratio "$b" "$d")x, docker-CLI-on-berthd vs dockerd $(ratio "$bd" "$d")x"

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
density() { # label cmd-prefix...
  local t0 t1
  t0=$(now_ms)
  for i in $(seq "$M"); do "$@" run -d --network none --name "dens$i" busybox sleep 1000 >/dev/null; done
  t1=$(now_ms)
  echo $((t1 - t0))
}
bt=$(density "${DOCKER_BERTH[@]}")
brss=$(rss_kb "$(cat "$work/berth-root/berthd.pid")")
"${DOCKER_BERTH[@]}" rm -f $(seq -f 'dens%g' "$M") >/dev/null
pt=$(density "${PODMAN[@]}")
prss=$(ps -o rss= -C conmon | awk '{s+=$1} END {print s}')
"${PODMAN[@]}" rm -f -t 0 $(seq -f 'dens%g' "$M") >/dev/null
printf '\n%s containers run -d sleep 1000 (docker CLI -> berthd vs podman)\n' "$M"
echo "berth:  ${bt} ms to start all, berthd RSS $((brss / 1024)) MB"
echo "podman: ${pt} ms to start all (no daemon; its $M conmons: $((prss / 1024)) MB RSS in total)"
echo "ratio podman/berth start-all $(ratio "$bt" "$pt")x"

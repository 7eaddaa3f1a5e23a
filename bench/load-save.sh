#!/usr/bin/env bash
# berth load / save against podman load / save and docker load / save (a real dockerd 20.10), on the
# same ~150 MB four-layer docker-archive, each tool with private state. Prints medians and ratios
# (peer time / berth time: above 1 means berth is faster). Not a test: nothing is asserted.
#   RUNS=3 SIZE_MB=50 bench/load-save.sh
set -euo pipefail
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-50}
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
source "$(dirname "$0")/lib.sh"
trap cleanup_all EXIT

# The input: busybox rootfs + three layers of incompressible data, as `docker save` lays it out.
src=$work/src; mkdir -p "$src/rootfs/bin" "$src/img"
cp /bin/busybox "$src/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$src/rootfs/bin/$a"; done
tar --sort=name --owner=0 --group=0 -C "$src/rootfs" -cf "$src/layer0.tar" .
for i in 1 2 3; do
  mkdir -p "$src/l$i/data"
  head -c "${SIZE_MB}M" /dev/urandom >"$src/l$i/data/blob$i"
  tar --sort=name --owner=0 --group=0 -C "$src/l$i" -cf "$src/layer$i.tar" .
done
diffs=(); layers=()
for i in 0 1 2 3; do
  d=$(sha256sum "$src/layer$i.tar" | cut -d' ' -f1)
  mkdir -p "$src/img/$d"; mv "$src/layer$i.tar" "$src/img/$d/layer.tar"
  diffs+=("\"sha256:$d\""); layers+=("\"$d/layer.tar\"")
done
arch=$(dpkg --print-architecture)
printf '{"architecture":"%s","os":"linux","config":{"Cmd":["sh"]},"created":"2026-01-01T00:00:00Z","rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$arch" "$(IFS=,; echo "${diffs[*]}")" >"$src/config.json"
cfg=$(sha256sum "$src/config.json" | cut -d' ' -f1); mv "$src/config.json" "$src/img/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["bench/load:1"],"Layers":[%s]}]' "$cfg" "$(IFS=,; echo "${layers[*]}")" >"$src/img/manifest.json"
tar -C "$src/img" -cf "$work/input.tar" .
echo "input: $(du -m "$work/input.tar" | cut -f1) MB, 4 layers, image id sha256:${cfg:0:12}"

setup_berth; setup_podman; setup_docker

declare -A load save
for tool in berth podman docker; do load[$tool]=""; save[$tool]=""; done
for run in $(seq "$RUNS"); do
  # Each round: a cold load (image absent), then a save to a new file.
  load[berth]+=" $(time_ms "$BERTH" load -q -i "$work/input.tar")"
  save[berth]+=" $(time_ms "$BERTH" save -o "$work/out-berth.tar" bench/load:1)"
  "$BERTH" rmi -f bench/load:1 >/dev/null

  load[podman]+=" $(time_ms "${PODMAN[@]}" load "${PODMAN_POLICY[@]}" -q -i "$work/input.tar")"
  save[podman]+=" $(time_ms "${PODMAN[@]}" save "${PODMAN_POLICY[@]}" -o "$work/out-podman.tar" bench/load:1)"
  "${PODMAN[@]}" rmi -f bench/load:1 >/dev/null; rm -f "$work/out-podman.tar"

  load[docker]+=" $(time_ms "${DOCKER[@]}" load -q -i "$work/input.tar")"
  save[docker]+=" $(time_ms "${DOCKER[@]}" save -o "$work/out-docker.tar" bench/load:1)"
  "${DOCKER[@]}" rmi -f bench/load:1 >/dev/null; rm -f "$work/out-docker.tar"
  rm -f "$work/out-berth.tar"
done

printf '\n%-8s %12s %12s   (median of %s runs, ms)\n' tool load save "$RUNS"
for tool in berth podman docker; do
  # shellcheck disable=SC2086
  printf '%-8s %12s %12s\n' "$tool" "$(median ${load[$tool]})" "$(median ${save[$tool]})"
done
# shellcheck disable=SC2086
bl=$(median ${load[berth]}); bs=$(median ${save[berth]})
echo
for tool in podman docker; do
  # shellcheck disable=SC2086
  echo "ratio $tool/berth: load $(ratio "$bl" "$(median ${load[$tool]})")x, save $(ratio "$bs" "$(median ${save[$tool]})")x"
done

#!/usr/bin/env bash
# berth pull / push against skopeo copy and podman pull / push, on a ~150 MB four-layer image (gzip
# layers of incompressible data) in local reference registries (docker-registry on loopback).
# Prints medians and ratios (peer time / berth time: above 1 means berth is faster). Not a test.
#   RUNS=5 SIZE_MB=50 bench/pull-push.sh
#
# What is measured, and why it is fair:
# - pull cold: no blob of the image present (berth: image removed and pruned; skopeo: a new oci:
#   layout; podman: rmi -a). pull warm: every blob present (the image is still there).
# - push: each run and each tool pushes to a registry started for it, empty: nobody can skip an
#   upload because the blobs are already there, or mount them from another repository.
# - skopeo and podman keep a blob-info cache (blob-info-cache-v1.boltdb: where each digest was
#   seen, which lets them skip uploads and mount across repositories). skopeo, as root, keeps it in
#   /var/lib/containers/cache: it runs in a private mount namespace with an empty temp dir mounted
#   there, fresh for each run; podman keeps it under its --root (a temp dir), emptied each run.
# - berth is measured twice: through the CLI and the daemon (`berth pull`, what a user types), and
#   as a library (bench/RegistryBench.java: RegistryClient in one JVM, as a Java program uses it).
#   The CLI's own JVM start is printed apart (`berth version`): it is in every CLI number.
# - berth checks every blob's digest while it streams; diff_ids (over the uncompressed layers) are
#   checked when layers are unpacked (LayerUnpacker), as containerd does; skopeo into an oci: layout
#   does not decompress either. The library line "verify diff_ids" decompresses while pulling.
# - Medians of RUNS runs (RUNS odd: the median of 2 would be the faster one).
set -euo pipefail
RUNS=${RUNS:-5}
SIZE_MB=${SIZE_MB:-50}
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
source "$(dirname "$0")/lib.sh"
REG_PIDS=()
declare -A REG_PID
stop_registries() { for p in "${REG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap 'stop_registries; cleanup_all' EXIT

start_registry() { # NAME PORT
  mkdir -p "$work/$1"
  cat >"$work/$1/config.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/$1/storage}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$2, secret: bench}
YML
  docker-registry serve "$work/$1/config.yml" >"$work/$1/log" 2>&1 &
  REG_PIDS+=($!); REG_PID[$1]=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/v2/" >/dev/null && return 0; sleep 0.1; done
  echo "bench: registry $1 did not start" >&2; exit 1
}
stop_registry() { kill "${REG_PID[$1]}" 2>/dev/null || true; wait "${REG_PID[$1]}" 2>/dev/null || true; rm -rf "${work:?}/$1"; }
# fresh_registry NAME: starts an empty registry named NAME on a free port; DST is its host:port
fresh_registry() { local port; port=$(free_port); start_registry "$1" "$port"; DST=127.0.0.1:$port; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The image: busybox rootfs + three layers of random data, as a docker-archive, copied once (gzip) to the source registry.
src=$work/src; mkdir -p "$src/rootfs/bin" "$src/img"
cp /bin/busybox "$src/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$src/rootfs/bin/$a"; done
tar --sort=name --owner=0 --group=0 -C "$src/rootfs" -cf "$src/layer0.tar" .
for i in 1 2 3; do
  mkdir -p "$src/l$i/data"; head -c "${SIZE_MB}M" /dev/urandom >"$src/l$i/data/blob$i"
  tar --sort=name --owner=0 --group=0 -C "$src/l$i" -cf "$src/layer$i.tar" .
done
diffs=(); layers=()
for i in 0 1 2 3; do
  d=$(sha256sum "$src/layer$i.tar" | cut -d' ' -f1)
  mkdir -p "$src/img/$d"; mv "$src/layer$i.tar" "$src/img/$d/layer.tar"
  diffs+=("\"sha256:$d\""); layers+=("\"$d/layer.tar\"")
done
printf '{"architecture":"%s","os":"linux","config":{"Cmd":["sh"]},"created":"2026-01-01T00:00:00Z","rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$(dpkg --print-architecture)" "$(IFS=,; echo "${diffs[*]}")" >"$src/config.json"
cfg=$(sha256sum "$src/config.json" | cut -d' ' -f1); mv "$src/config.json" "$src/img/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["bench/pull:1"],"Layers":[%s]}]' "$cfg" "$(IFS=,; echo "${layers[*]}")" >"$src/img/manifest.json"
tar -C "$src/img" -cf "$work/input.tar" .

P1=$(free_port); start_registry source "$P1"
SRC=127.0.0.1:$P1
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/policy.json"
# skopeo with an empty blob-info cache of its own: a private mount namespace where a fresh temp dir
# hides /var/lib/containers/cache (the cache of skopeo run as root).
mkdir -p /var/lib/containers/cache
skopeo_fresh() {
  local cache; cache=$(mktemp -d "$work/skopeo-cache.XXXXXX")
  unshare --mount --propagation private sh -c 'mount --bind "$0" /var/lib/containers/cache && exec "$@"' \
    "$cache" skopeo --policy "$work/policy.json" "$@"
}
skopeo_fresh copy -q --dest-tls-verify=false docker-archive:"$work/input.tar" "docker://$SRC/bench/img:1"
echo "image: $(du -sm "$work/source/storage" | cut -f1) MB in the registry (gzip), 4 layers"

# berth with its own state root and socket (the CLI starts berthd on first use); BERTH_DIST names
# an assembled distribution to measure instead of dist/target/berth.
DIST=${BERTH_DIST:-$(repo_root)/dist/target/berth}
export BERTH_ROOT=$work/berth-root BERTH_HOST=unix://$work/berth.sock
BERTH=$DIST/bin/berth
[ -x "$BERTH" ] || { echo "bench: build first: ./mvnw -B -q -DskipTests package" >&2; exit 1; }
"$BERTH" info >/dev/null
setup_podman
declare -A t
for k in berth_cold berth_warm berth_push skopeo_cold skopeo_warm skopeo_push podman_cold podman_warm podman_push \
  cli_start lib_cold lib_warm lib_push libv_cold libv_warm libv_push; do t[$k]=""; done
for run in $(seq "$RUNS"); do
  "$BERTH" rmi -f "$SRC/bench/img:1" >/dev/null 2>&1 || true; "$BERTH" image prune -a -f >/dev/null
  t[berth_cold]+=" $(time_ms "$BERTH" pull -q "$SRC/bench/img:1")"
  # warm: the image is there (rmi would collect its blobs), as for podman's second pull
  t[berth_warm]+=" $(time_ms "$BERTH" pull -q "$SRC/bench/img:1")"
  fresh_registry target
  "$BERTH" tag "$SRC/bench/img:1" "$DST/berth/img:1"
  t[berth_push]+=" $(time_ms "$BERTH" push "$DST/berth/img:1")"
  "$BERTH" rmi "$DST/berth/img:1" >/dev/null
  stop_registry target
  t[cli_start]+=" $(time_ms "$BERTH" version)"

  rm -rf "$work/oci"
  t[skopeo_cold]+=" $(time_ms skopeo_fresh copy -q --src-tls-verify=false "docker://$SRC/bench/img:1" "oci:$work/oci:img")"
  t[skopeo_warm]+=" $(time_ms skopeo_fresh copy -q --src-tls-verify=false "docker://$SRC/bench/img:1" "oci:$work/oci:img")"
  fresh_registry target
  t[skopeo_push]+=" $(time_ms skopeo_fresh copy -q --dest-tls-verify=false "oci:$work/oci:img" "docker://$DST/skopeo/img:1")"
  stop_registry target

  "${PODMAN[@]}" rmi -a -f >/dev/null 2>&1 || true
  find "$work/podman" -name 'blob-info-cache-v1.boltdb' -delete
  t[podman_cold]+=" $(time_ms "${PODMAN[@]}" pull "${PODMAN_POLICY[@]}" -q --tls-verify=false "$SRC/bench/img:1")"
  t[podman_warm]+=" $(time_ms "${PODMAN[@]}" pull "${PODMAN_POLICY[@]}" -q --tls-verify=false "$SRC/bench/img:1")"
  fresh_registry target
  find "$work/podman" -name 'blob-info-cache-v1.boltdb' -delete
  t[podman_push]+=" $(time_ms "${PODMAN[@]}" push "${PODMAN_POLICY[@]}" -q --tls-verify=false "$SRC/bench/img:1" "$DST/podman/img:1")"
  stop_registry target
done

# The library path: RUNS runs in one JVM, each pushing to a registry of its own.
lib_bench() { # extra args...; fills t[PREFIX_*]
  local prefix=$1; shift
  local dsts=() i line
  for i in $(seq "$RUNS"); do fresh_registry "lib$i"; dsts+=("$DST"); done
  while read -r line; do
    # "run N cold MS warm MS push MS"
    read -r _ _ _ c _ w _ p <<<"$line"
    t[${prefix}_cold]+=" $c"; t[${prefix}_warm]+=" $w"; t[${prefix}_push]+=" $p"
  done < <("$JAVA" -cp "$DIST/lib/*" "$(repo_root)/bench/RegistryBench.java" "$SRC/bench/img:1" \
    "$(IFS=,; echo "${dsts[*]}")" "$RUNS" "$work" "$@")
  for i in $(seq "$RUNS"); do stop_registry "lib$i"; done
}
# the JDK 25 the berth launcher would pick
JAVA=$(. "$DIST/libexec/launcher.sh"; berth_find_java)
lib_bench lib
lib_bench libv verify-diff-ids

printf '\n%-24s %10s %10s %10s   (median of %s runs, ms)\n' "" "pull cold" "pull warm" push "$RUNS"
row() { # LABEL KEY
  # shellcheck disable=SC2086
  printf '%-24s %10s %10s %10s\n' "$1" "$(median ${t[${2}_cold]})" "$(median ${t[${2}_warm]})" "$(median ${t[${2}_push]})"
}
row "berth (CLI + daemon)" berth
row "berth library" lib
row "berth lib, diff_ids" libv
row "skopeo" skopeo
row "podman" podman
# shellcheck disable=SC2086
echo "berth CLI start (berth version): $(median ${t[cli_start]}) ms, part of each CLI number above"
echo "all runs:"; for k in "${!t[@]}"; do echo "  $k:${t[$k]}"; done | sort
echo
for tool in skopeo podman; do
  for b in berth lib; do
    # shellcheck disable=SC2086
    echo "ratio $tool/$b: pull cold $(ratio "$(median ${t[${b}_cold]})" "$(median ${t[${tool}_cold]})")x," \
      "pull warm $(ratio "$(median ${t[${b}_warm]})" "$(median ${t[${tool}_warm]})")x," \
      "push $(ratio "$(median ${t[${b}_push]})" "$(median ${t[${tool}_push]})")x"
  done
done

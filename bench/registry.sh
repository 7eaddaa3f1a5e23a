#!/usr/bin/env bash
# berth's registry (berth registry serve) against Debian's docker-registry (distribution 2.8), on the
# same machine, with the same client (skopeo) and the same ~150 MB four-layer image:
#   push      skopeo copy oci:LAYOUT docker://HOST/bench/pN:1      (new layers each run: all blobs move)
#   pull      skopeo copy docker://HOST/bench/pN:1 oci:NEWDIR
#   pull x16  16 such pulls at once; wall time of all, and per-client median latency
# then each server's resident memory (VmRSS now, VmHWM the peak) from /proc. Prints medians and
# ratios (docker-registry time / berth time: above 1 means berth is faster). Not a test.
#   RUNS=3 SIZE_MB=50 CLIENTS=16 bench/registry.sh
set -euo pipefail
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-50}
CLIENTS=${CLIENTS:-16}
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
source "$(dirname "$0")/lib.sh"
root=$(repo_root)

BERTH_PID=""; DREG_PID=""
stop_registries() {
  for pid in $BERTH_PID $DREG_PID; do
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap 'stop_registries; rm -rf "$work"' EXIT

command -v skopeo >/dev/null && command -v docker-registry >/dev/null ||
  { echo "bench: needs skopeo and docker-registry (scripts/install-deps.sh)" >&2; exit 1; }
java=${JAVA_HOME:+$JAVA_HOME/bin/java}
[ -x "${java:-}" ] || java=$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)
[ -x "$java" ] || { echo "bench: no JDK 25 under /usr/lib/jvm" >&2; exit 1; }
[ -d "$root/registry/target/classes" ] || { echo "bench: build first: ./mvnw -B -q -pl registry install -DskipTests" >&2; exit 1; }
(cd "$root" && ./mvnw -B -q -pl registry dependency:build-classpath -Dmdep.outputFile="$work/cp" >/dev/null)
cp="$root/registry/target/classes:$(cat "$work/cp")"

echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/policy.json"
SKOPEO=(skopeo --policy "$work/policy.json" --tmpdir "$work")

# The image: busybox + three layers of incompressible data, as an OCI layout (uncompressed layers).
# A new one for each run: skopeo remembers where it has seen a blob (its blob-info cache) and would
# turn a second push of the same layers into cross-repository mounts.
make_layout() { # make_layout DIR
  local src=$work/src
  rm -rf "$src"; mkdir -p "$src/rootfs/bin" "$src/img"
  cp /bin/busybox "$src/rootfs/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$src/rootfs/bin/$a"; done
  tar --sort=name --owner=0 --group=0 -C "$src/rootfs" -cf "$src/layer0.tar" .
  for i in 1 2 3; do
    mkdir -p "$src/l$i/data"
    head -c "${SIZE_MB}M" /dev/urandom >"$src/l$i/data/blob$i"
    tar --sort=name --owner=0 --group=0 -C "$src/l$i" -cf "$src/layer$i.tar" .
  done
  local diffs=() layers=() d i cfg
  for i in 0 1 2 3; do
    d=$(sha256sum "$src/layer$i.tar" | cut -d' ' -f1)
    mkdir -p "$src/img/$d"; mv "$src/layer$i.tar" "$src/img/$d/layer.tar"
    diffs+=("\"sha256:$d\""); layers+=("\"$d/layer.tar\"")
  done
  printf '{"architecture":"%s","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$(dpkg --print-architecture)" "$(IFS=,; echo "${diffs[*]}")" >"$src/config.json"
  cfg=$(sha256sum "$src/config.json" | cut -d' ' -f1); mv "$src/config.json" "$src/img/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["bench/reg:1"],"Layers":[%s]}]' "$cfg" "$(IFS=,; echo "${layers[*]}")" >"$src/img/manifest.json"
  tar -C "$src/img" -cf "$work/input.tar" .
  rm -rf "$src" "$1"
  "${SKOPEO[@]}" copy -q "docker-archive:$work/input.tar" "oci:$1:1"
  rm -f "$work/input.tar"
}
make_layout "$work/layout"
echo "image: $(du -sm "$work/layout" | cut -f1) MB in an OCI layout, 4 layers"

# The servers, each with its own storage, on free ports.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
bport=$(free_port); dport=$(free_port)
mkdir -p "$work/berth" "$work/dreg"
cat >"$work/berth/registry.yml" <<CONF
listen: 127.0.0.1:$bport
storage:
  root: $work/berth/data
CONF
cat >"$work/dreg/config.yml" <<CONF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/dreg/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$dport
CONF
"$java" -XX:+UseParallelGC -cp "$cp" dev.berth.registry.RegistryServer "$work/berth/registry.yml" >"$work/berth/log" 2>&1 &
BERTH_PID=$!
docker-registry serve "$work/dreg/config.yml" >"$work/dreg/log" 2>&1 &
DREG_PID=$!
for port in $bport $dport; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/v2/" >/dev/null || { echo "bench: registry on $port did not start" >&2; cat "$work"/*/log >&2; exit 1; }
done

declare -A port=([berth]=$bport [dreg]=$dport) push pull conc conc_lat
for s in berth dreg; do push[$s]=""; pull[$s]=""; conc[$s]=""; conc_lat[$s]=""; done
for run in $(seq "$RUNS"); do
  [ "$run" = 1 ] || make_layout "$work/layout"
  for s in berth dreg; do
    ref="docker://127.0.0.1:${port[$s]}/bench/p$run:1"
    push[$s]+=" $(time_ms "${SKOPEO[@]}" copy -q --dest-tls-verify=false "oci:$work/layout:1" "$ref")"
    pull[$s]+=" $(time_ms "${SKOPEO[@]}" copy -q --src-tls-verify=false "$ref" "oci:$work/out-$s:1")"
    rm -rf "$work/out-$s"
    t0=$(now_ms)
    pids=()
    for c in $(seq "$CLIENTS"); do
      ( t=$(time_ms "${SKOPEO[@]}" copy -q --src-tls-verify=false "$ref" "oci:$work/c-$s-$c:1"); echo "$t" >"$work/lat-$s-$c" ) &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    conc[$s]+=" $(( $(now_ms) - t0 ))"
    # shellcheck disable=SC2046
    conc_lat[$s]+=" $(median $(cat "$work"/lat-"$s"-*))"
    rm -rf "$work"/c-"$s"-* "$work"/lat-"$s"-*
  done
done

mem() { awk -v k="$2:" '$1==k {printf "%d MB", $2/1024}' "/proc/$1/status"; }
mb=$(du -sm "$work/layout" | cut -f1)
printf '\n%-16s %10s %10s %14s %16s %10s %10s\n' server "push ms" "pull ms" "${CLIENTS}x pull ms" "median client ms" VmRSS VmHWM
# shellcheck disable=SC2086
for s in berth dreg; do
  name=$([ "$s" = berth ] && echo "berth" || echo "docker-registry")
  pid=$([ "$s" = berth ] && echo "$BERTH_PID" || echo "$DREG_PID")
  printf '%-16s %10s %10s %14s %16s %10s %10s\n' "$name" "$(median ${push[$s]})" "$(median ${pull[$s]})" \
    "$(median ${conc[$s]})" "$(median ${conc_lat[$s]})" "$(mem "$pid" VmRSS)" "$(mem "$pid" VmHWM)"
done
# shellcheck disable=SC2086
{
  bp=$(median ${push[berth]}); bl=$(median ${pull[berth]}); bc=$(median ${conc[berth]})
  dp=$(median ${push[dreg]}); dl=$(median ${pull[dreg]}); dc=$(median ${conc[dreg]})
}
echo
echo "throughput (MB/s): berth push $(awk -v m="$mb" -v t="$bp" 'BEGIN{printf "%.0f", m*1000/t}'), pull $(awk -v m="$mb" -v t="$bl" 'BEGIN{printf "%.0f", m*1000/t}'), ${CLIENTS}x pull $(awk -v m="$mb" -v n="$CLIENTS" -v t="$bc" 'BEGIN{printf "%.0f", m*n*1000/t}');" \
  "docker-registry push $(awk -v m="$mb" -v t="$dp" 'BEGIN{printf "%.0f", m*1000/t}'), pull $(awk -v m="$mb" -v t="$dl" 'BEGIN{printf "%.0f", m*1000/t}'), ${CLIENTS}x pull $(awk -v m="$mb" -v n="$CLIENTS" -v t="$dc" 'BEGIN{printf "%.0f", m*n*1000/t}')"
echo "ratio docker-registry/berth (median of $RUNS runs): push $(ratio "$bp" "$dp")x, pull $(ratio "$bl" "$dl")x, ${CLIENTS}x pull $(ratio "$bc" "$dc")x"

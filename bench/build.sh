#!/usr/bin/env bash
# berth build against podman build and buildah bud, on the same multi-step Dockerfile (four RUN
# and three COPY steps, one COPY of ~50 MB), each tool with private storage and runc. Two
# numbers per tool: a cold build (--no-cache: every step runs) and a cached rebuild of the same
# input (every step from the cache). Prints medians and ratios (peer time / berth time: above 1
# means berth is faster). Not a test: nothing is asserted.
#   RUNS=3 SIZE_MB=50 bench/build.sh
set -euo pipefail
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-50}
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
source "$(dirname "$0")/lib.sh"

stop_buildah() {
  [ -d "$work/buildah" ] || return 0
  "${BUILDAH[@]}" rm --all >/dev/null 2>&1 || true
  "${BUILDAH[@]}" rmi --all -f >/dev/null 2>&1 || true
  grep " $work/buildah" /proc/mounts | awk '{print $2}' | sort -r | xargs -r umount -l 2>/dev/null || true
}
trap 'stop_buildah; cleanup_all' EXIT

# The base image: busybox from Debian's busybox-static, as scripts/try.sh makes it.
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,dev,etc,home,proc,root,sys,tmp,usr/bin,usr/local/bin,var}
chmod 1777 "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$rootfs/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\n' >"$rootfs/etc/group"
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/busybox.tar" .

# The context: one big incompressible file, a small source tree, a config file.
ctx=$work/ctx
mkdir -p "$ctx/src"
head -c "${SIZE_MB}M" /dev/urandom >"$ctx/big.bin"
for i in $(seq 1 100); do echo "source file $i" >"$ctx/src/file$i.txt"; done
echo "mode=bench" >"$ctx/config.txt"
cat >"$ctx/Dockerfile" <<'EOF'
FROM bench/busybox:1
RUN mkdir -p /app/bin && echo "built" > /app/stamp
COPY big.bin /data/big.bin
COPY src/ /app/src/
RUN sha256sum /data/big.bin > /app/big.sha256
RUN for i in $(seq 1 200); do echo "$i" > /app/bin/f$i; done
COPY config.txt /app/config.txt
RUN cat /app/config.txt /app/stamp > /app/summary && rm /app/stamp
CMD ["cat", "/app/summary"]
EOF
echo "context: $(du -sm "$ctx" | cut -f1) MB; Dockerfile: 4 RUN, 3 COPY"

setup_berth; setup_podman
BUILDAH=(env CONTAINERS_CONF="$work/podman/containers.conf" TMPDIR="$work/podman/tmp" buildah
         --root "$work/buildah/root" --runroot "$work/buildah/runroot" --storage-driver overlay)
mkdir -p "$work/buildah"

"$BERTH" import "$work/busybox.tar" bench/busybox:1 >/dev/null
"${PODMAN[@]}" import "$work/busybox.tar" bench/busybox:1 >/dev/null 2>&1
"${PODMAN[@]}" save -o "$work/bb-archive.tar" bench/busybox:1 >/dev/null
"${BUILDAH[@]}" pull "${PODMAN_POLICY[@]}" "docker-archive:$work/bb-archive.tar" >/dev/null 2>&1

berth_build() { "$BERTH" build -q "$@" -t bench/build:1 "$ctx"; }
podman_build() { "${PODMAN[@]}" build "${PODMAN_POLICY[@]}" --runtime runc --network none --layers -q "$@" -t bench/build:1 "$ctx"; }
buildah_build() { "${BUILDAH[@]}" bud "${PODMAN_POLICY[@]}" --runtime runc --isolation oci --network none --layers -q "$@" -t bench/build:1 "$ctx"; }

declare -A cold cached
for tool in berth podman buildah; do cold[$tool]=""; cached[$tool]=""; done
for run in $(seq "$RUNS"); do
  for tool in berth podman buildah; do
    cold[$tool]+=" $(time_ms "${tool}_build" --no-cache)"
    cached[$tool]+=" $(time_ms "${tool}_build")"
  done
done

# The three images hold the same files.
echo "berth:   $("$BERTH" run --rm --network none bench/build:1 2>/dev/null | tr '\n' ' ' || echo '(berth run not available)')"
echo "podman:  $("${PODMAN[@]}" run --rm --network none bench/build:1 | tr '\n' ' ')"

printf '\n%-8s %12s %14s   (median of %s runs, ms)\n' tool cold cached-rebuild "$RUNS"
for tool in berth podman buildah; do
  # shellcheck disable=SC2086
  printf '%-8s %12s %14s\n' "$tool" "$(median ${cold[$tool]})" "$(median ${cached[$tool]})"
done
# shellcheck disable=SC2086
bc=$(median ${cold[berth]}); bk=$(median ${cached[berth]})
echo
for tool in podman buildah; do
  # shellcheck disable=SC2086
  echo "ratio $tool/berth: cold $(ratio "$bc" "$(median ${cold[$tool]})")x, cached rebuild $(ratio "$bk" "$(median ${cached[$tool]})")x"
done

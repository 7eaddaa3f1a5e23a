# Shared helpers of the benchmark scripts: timing, peers in private temp dirs, clean-up.
# Source it; it expects $work (a temp dir) to be set.

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# time_ms CMD...: runs CMD quietly, prints its wall time in ms; fails loudly with its output on error.
time_ms() {
  local t0 t1 out
  t0=$(now_ms)
  if ! out=$("$@" 2>&1); then
    echo "bench: '$*' failed:" >&2
    echo "$out" >&2
    return 1
  fi
  t1=$(now_ms)
  echo $((t1 - t0))
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "n/a" }'; }

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# berth with its own state root and socket; the CLI starts berthd on first use.
setup_berth() {
  export BERTH_ROOT=$work/berth-root BERTH_HOST=unix://$work/berth.sock
  BERTH=$(repo_root)/dist/target/berth/bin/berth
  [ -x "$BERTH" ] || { echo "bench: build first: ./mvnw -B -q -DskipTests package" >&2; exit 1; }
  "$BERTH" info >/dev/null
}
stop_berth() {
  local pidfile=$work/berth-root/berthd.pid
  if [ -f "$pidfile" ]; then
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    sleep 0.5
  fi
}

# podman with storage of its own (overlay, as podman runs by default as root).
setup_podman() {
  local h=$work/podman
  mkdir -p "$h"/{root,runroot,tmp,net}
  cat >"$h/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
lock_type = "file"
tmp_dir = "$h/tmp"
[network]
network_config_dir = "$h/net"
CONF
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$h/policy.json"
  PODMAN=(env CONTAINERS_CONF="$h/containers.conf" TMPDIR="$h/tmp" podman --root "$h/root" --runroot "$h/runroot"
          --storage-driver overlay --cgroup-manager cgroupfs --events-backend file)
  PODMAN_POLICY=(--signature-policy "$h/policy.json")
}
stop_podman() {
  [ -d "$work/podman" ] || return 0
  "${PODMAN[@]}" system reset -f >/dev/null 2>&1 || true
  grep " $work/podman" /proc/mounts | awk '{print $2}' | sort -r | xargs -r umount -l 2>/dev/null || true
}

# A real dockerd (Debian's docker.io) with all its state under $work/docker.
setup_docker() {
  local h=$work/docker
  mkdir -p "$h"
  echo '{}' >"$h/daemon.json"
  dockerd --config-file "$h/daemon.json" --data-root "$h/data" --exec-root "$h/exec" --pidfile "$h/pid" \
    -H "unix://$h/docker.sock" --bridge=none --iptables=false --ip-masq=false \
    --default-ulimit nofile=20000:20000 >"$h/log" 2>&1 &
  DOCKERD_PID=$!
  DOCKER=(env DOCKER_HOST="unix://$h/docker.sock" DOCKER_CONFIG="$h/cli" docker)
  for _ in $(seq 100); do
    "${DOCKER[@]}" version >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "bench: dockerd did not start; log:" >&2; tail -20 "$h/log" >&2; return 1
}
stop_docker() {
  [ -n "${DOCKERD_PID:-}" ] || return 0
  kill -TERM "$DOCKERD_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$DOCKERD_PID" 2>/dev/null || true
  pkill -f "$work/docker" 2>/dev/null || true
  grep " $work/docker" /proc/mounts | awk '{print $2}' | sort -r | xargs -r umount -l 2>/dev/null || true
}

cleanup_all() {
  stop_berth; stop_podman; stop_docker
  rm -rf "$work"
}

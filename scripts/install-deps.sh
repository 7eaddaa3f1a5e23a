#!/usr/bin/env bash
# Installs what berth's build and tests need on Debian 12, and checks it works. Idempotent: apt is
# only touched when a package is missing. Runs as root, or through sudo otherwise.
set -euo pipefail

packages=(
  busybox-static          # the busybox image's rootfs, built without network
  runc crun conmon        # OCI runtimes and the container monitor
  runsc                   # gVisor, the sandboxed OCI runtime
  podman buildah skopeo umoci containernetworking-plugins uidmap fuse-overlayfs
  docker.io               # dockerd 20.10 as a reference peer (it starts its own containerd)
  docker-registry         # the reference registry (distribution 2.8)
  apache2-utils           # htpasswd -B: bcrypt users for the registry's Basic-auth tests
  iptables curl openssl procps   # openssl: test CAs and keys for the TLS registry tests
)

say() { echo "install-deps: $*"; }
die() { echo "install-deps: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  as_root=(false)
fi

missing=()
for p in "${packages[@]}"; do
  # Installed means status "install ok installed", not just known to dpkg.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "${as_root[0]:-}" != false ] || die "missing ${missing[*]}; run this as root or install sudo"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "all ${#packages[@]} packages present"
fi

# JDK 25: mvnw and the launchers look under /usr/lib/jvm (or JAVA_HOME).
jdk_major() {
  local line
  line=$(grep -m1 '^JAVA_VERSION=' "$1/release" 2>/dev/null) || return 1
  line=${line#JAVA_VERSION=\"}
  echo "${line%%[.\"]*}"
}
have_jdk25() {
  local d v
  for d in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(jdk_major "$d") || continue
    if [ "$v" -ge 25 ] 2>/dev/null; then echo "$d"; return 0; fi
  done
  return 1
}
if ! jdk=$(have_jdk25); then
  for candidate in temurin-25-jdk openjdk-25-jdk; do
    if [ -n "$(apt-cache policy "$candidate" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)')" ]; then
      say "installing $candidate"
      DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q "$candidate"
      break
    fi
  done
  jdk=$(have_jdk25) || die "no JDK 25 under /usr/lib/jvm (and none in apt). Install one, e.g. Eclipse Temurin 25
(https://adoptium.net/installation/linux: add the Adoptium apt repository, then apt-get install temurin-25-jdk),
or unpack a JDK 25 and set JAVA_HOME to it."
fi
say "JDK 25: $jdk"

# The tools must run, not just be installed.
for check in "runc --version" "podman --version" "skopeo --version" "umoci --version" \
             "dockerd --version" "docker --version" "busybox echo busybox-static runs"; do
  if ! out=$($check 2>&1); then
    die "'$check' failed: $out"
  fi
  say "ok: ${out%%$'\n'*}"
done

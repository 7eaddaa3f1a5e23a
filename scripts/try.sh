#!/usr/bin/env bash
# First contact, end to end: install dependencies, build berth, make a busybox image from Debian's
# busybox-static (no network needed), import it and look at it. The CLI starts berthd on demand,
# with its state in /var/lib/berth.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
./mvnw -B -q -DskipTests package

work=$(mktemp -d /tmp/berth-try.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The rootfs: bin/busybox, one symlink per applet, root in passwd/group, tmp 1777; a sorted tar
# with fixed times and root ownership, so every run gives the same layer.
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,dev,etc,home,proc,root,sbin,sys,tmp,usr/bin,usr/local/bin,usr/sbin,var}
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' > "$rootfs/etc/group"
tar --sort=name --mtime=2000-01-01T00:00:00Z --owner=0 --group=0 --numeric-owner \
    -C "$rootfs" -cf "$work/busybox.tar" .

berth=dist/target/berth/bin/berth
set -x
"$berth" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["sh"]' "$work/busybox.tar" busybox:latest
"$berth" images
"$berth" image inspect busybox:latest

# A container from it, in the background: its output stays in its log, stamped per line.
"$berth" rm -f hello >/dev/null 2>&1 || true
"$berth" run -d --name hello busybox sh -c 'echo hello from berth'
"$berth" wait hello
"$berth" logs hello
"$berth" ps -a
"$berth" rm hello

# A small image from a Dockerfile: RUN runs in a container on the image so far, COPY reads the
# context (minus what .dockerignore lists), CMD says what the image runs.
{ set +x; } 2>/dev/null
mkdir -p "$work/hello"
cat > "$work/hello/Dockerfile" <<'EOF'
FROM busybox
RUN echo "built by berth build" > /etc/motd
COPY hello.sh /usr/local/bin/hello.sh
CMD ["/usr/local/bin/hello.sh"]
EOF
printf '#!/bin/sh\ncat /etc/motd\necho "hello from $(hostname)"\n' > "$work/hello/hello.sh"
chmod 755 "$work/hello/hello.sh"
echo "notes, not sent" > "$work/hello/README.md"
echo '*.md' > "$work/hello/.dockerignore"
set -x
"$berth" build -t hello:1 "$work/hello"
"$berth" history hello:1
"$berth" run --rm hello:1

#!/usr/bin/env bash
# The OCI distribution-spec conformance suite (opencontainers/distribution-spec, conformance/, tag
# v1.1.1, the newest 1.1 release) against `berth registry serve`, then against Debian's
# docker-registry (distribution 2.8) for comparison; all four workflows (pull, push, content
# discovery, content management), with deletes enabled on both servers. Not a test: it needs the
# suite's Go sources, which are not part of this repository and are never copied into it.
#
#   bench/conformance.sh SRC_DIR                     build the suite from SRC_DIR and run it
#   bench/conformance.sh --export MIRRORS SRC_DIR    first fill SRC_DIR from git mirrors, then run
#
# SRC_DIR holds one directory per Go module (names in MODULES below): distribution-spec/ (the whole
# repository at v1.1.1) and each dependency at the version conformance/go.mod names. Without
# network access the build uses `replace` directives to those directories (GOPROXY=off). To fill
# it, either clone each repository at the listed ref (git clone + git checkout REF), or give
# --export a directory of git mirrors named OWNER+NAME/repo or OWNER+NAME (as the `fetch` tool of
# berth's agent sessions leaves them under /work/.mirror): it exports each ref with git archive,
# skipping blobs a shallow snapshot lacks (x/text's collate/ and date/ tables, which the suite
# does not import).
#
# Needs: go >= 1.19 (Debian's golang-go; the suite's go.mod says 1.20, 1.19 builds it), a JDK 25,
# registry/target/classes (./mvnw -B -q -pl registry install -DskipTests), docker-registry.
# Env: AUTOMATIC_CROSSMOUNT (default 0: berth does not mount a blob on POST ?mount= without
# from=, a MAY of the spec; 1 asserts that it does), SKIP_DOCKER_REGISTRY=1, AUTH=basic|token
# (berth only: htpasswd Basic or the built-in token issuer, account alice), KEEP=1 keeps the work
# dir (HTML reports, server logs). Exit status: 0 when berth passed.
set -euo pipefail

# module path | directory in SRC_DIR | GitHub repository | ref (a tag, or the commit a
# pseudo-version names). From distribution-spec v1.1.1 conformance/go.mod.
MODULES="
github.com/opencontainers/distribution-spec|distribution-spec|opencontainers/distribution-spec|v1.1.1
github.com/bloodorangeio/reggie|reggie|bloodorangeio/reggie|v0.6.1
github.com/google/uuid|uuid|google/uuid|v1.3.0
github.com/onsi/ginkgo/v2|ginkgo|onsi/ginkgo|v2.11.0
github.com/onsi/gomega|gomega|onsi/gomega|v1.27.8
github.com/opencontainers/go-digest|go-digest|opencontainers/go-digest|v1.0.0
github.com/asaskevich/govalidator|govalidator|asaskevich/govalidator|a9d515a09cc2
github.com/go-logr/logr|logr|go-logr/logr|v1.2.4
github.com/go-resty/resty/v2|resty|go-resty/resty|v2.7.0
github.com/go-task/slim-sprig|slim-sprig|go-task/slim-sprig|52ccab3ef572
github.com/google/go-cmp|go-cmp|google/go-cmp|v0.6.0
github.com/google/pprof|pprof|google/pprof|91b7bce49751
github.com/mitchellh/mapstructure|mapstructure|mitchellh/mapstructure|v1.5.0
golang.org/x/net|net|golang/net|v0.33.0
golang.org/x/sys|sys|golang/sys|v0.28.0
golang.org/x/text|text|golang/text|v0.21.0
golang.org/x/tools|tools|golang/tools|e35e4ccd0d2d
gopkg.in/yaml.v3|yaml|go-yaml/yaml|v3.0.1
"

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# export_ref GITDIR REF DEST: the tree at REF into DEST, blob by blob when git archive meets a
# missing object.
export_ref() {
  local git=$1 ref=$2 dest=$3
  rm -rf "$dest"; mkdir -p "$dest"
  if git --git-dir="$git" archive "$ref" 2>/dev/null | tar -x -C "$dest" 2>/dev/null; then return; fi
  rm -rf "$dest"; mkdir -p "$dest"
  git --git-dir="$git" ls-tree -r "$ref" | while read -r mode type obj path; do
    [ "$type" = blob ] || continue
    mkdir -p "$dest/$(dirname "$path")"
    if ! git --git-dir="$git" cat-file blob "$obj" >"$dest/$path" 2>/dev/null; then
      rm -f "$dest/$path"; echo "conformance: $ref lacks $path (skipped)" >&2
    fi
  done
}

if [ "${1:-}" = --export ]; then
  [ $# -eq 3 ] || usage
  mirrors=$2; mkdir -p "$3"; src=$(cd "$3" && pwd)
  while IFS='|' read -r mod dir repo ref; do
    [ -n "$mod" ] || continue
    git=$mirrors/${repo/\//+}/repo; [ -d "$git" ] || git=$mirrors/${repo/\//+}
    [ -d "$git" ] || { echo "conformance: no mirror of $repo in $mirrors" >&2; exit 1; }
    export_ref "$git" "$ref" "$src/$dir"
  done <<<"$MODULES"
  shift 2
fi
[ $# -eq 1 ] || usage
src=$(cd "$1" && pwd)
[ -f "$src/distribution-spec/conformance/go.mod" ] || { echo "conformance: $src/distribution-spec/conformance/go.mod missing" >&2; exit 1; }

source "$(dirname "$0")/lib.sh"
root=$(repo_root)
work=$(mktemp -d /tmp/berth-conformance.XXXXXX)
PIDS=""
cleanup() {
  for pid in $PIDS; do
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "conformance: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# 1. The suite, compiled once into a test binary. Module downloads are off; every module of the
# graph is replaced by its directory in SRC_DIR.
cp -r "$src/distribution-spec/conformance" "$work/suite"
{
  echo; echo "replace ("
  while IFS='|' read -r mod dir repo ref; do
    [ -n "$mod" ] && [ "$dir" != distribution-spec ] && echo "	$mod => $src/$dir"
  done <<<"$MODULES"
  echo ")"
} >>"$work/suite/go.mod"
(cd "$work/suite" && GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local \
  GOPATH=$work/gopath GOCACHE=${GOCACHE:-$work/gocache} go test -c -o "$work/conformance.test" ./)
ver=v1.1.1   # as exported; a clone of its own says which tag it is on
[ -d "$src/distribution-spec/.git" ] && ver=$(git -C "$src/distribution-spec" describe --tags --always)
echo "conformance: distribution-spec $ver conformance suite, $(go version)"

# run_suite NAME URL [VAR=VALUE...]: the whole suite against URL, all four workflows.
run_suite() {
  local name=$1 url=$2; shift 2
  mkdir -p "$work/$name-report"
  local rc=0
  (cd "$work" && env OCI_ROOT_URL="$url" OCI_NAMESPACE=myorg/myrepo OCI_CROSSMOUNT_NAMESPACE=myorg/other \
    OCI_TEST_PULL=1 OCI_TEST_PUSH=1 OCI_TEST_CONTENT_DISCOVERY=1 OCI_TEST_CONTENT_MANAGEMENT=1 \
    OCI_HIDE_SKIPPED_WORKFLOWS=0 OCI_DEBUG=0 OCI_DELETE_MANIFEST_BEFORE_BLOBS=0 \
    OCI_AUTOMATIC_CROSSMOUNT="${AUTOMATIC_CROSSMOUNT:-0}" OCI_REPORT_DIR="$work/$name-report" "$@" \
    "$work/conformance.test" -ginkgo.v -ginkgo.no-color >"$work/$name.out" 2>&1) || rc=$?
  echo "== $name ($url): $(grep -E '^(SUCCESS|FAIL)!' "$work/$name.out" || echo 'no summary')"
  # each failure: its spec, then the suite's message (up to "In [It] at:")
  awk '/^• \[FAILED\]/ {f=1; next}
       f==1 && NF {sub(/^OCI Distribution Conformance Tests /, ""); print "   FAIL: " $0; f=2; next}
       f==2 && /^  \[FAILED\]/ {f=3; sub(/^  \[FAILED\] /, "")}
       f==3 && /In \[It\] at:/ {f=0; next}
       f==3 {print "         " $0}' "$work/$name.out"
  grep -A1 '^S \[SKIPPED\]' "$work/$name.out" | grep -v '^S \[SKIPPED\]\|^--' | sed 's/^OCI Distribution Conformance Tests /   skipped: /' || true
  return $rc
}

wait_http() { # wait_http URL: until the server answers (any status)
  for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "conformance: nothing answers at $1" >&2; return 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# 2. berth registry serve, deletes on, from registry/target/classes.
java=${JAVA_HOME:+$JAVA_HOME/bin/java}
[ -x "${java:-}" ] || java=$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)
[ -x "$java" ] || { echo "conformance: no JDK 25 under /usr/lib/jvm" >&2; exit 1; }
[ -d "$root/registry/target/classes" ] || { echo "conformance: build first: ./mvnw -B -q -pl registry install -DskipTests" >&2; exit 1; }
(cd "$root" && ./mvnw -B -q -pl registry dependency:build-classpath -Dmdep.outputFile="$work/cp" >"$work/mvn.out" 2>&1) ||
  { cat "$work/mvn.out" >&2; echo "conformance: no classpath for the registry module" >&2; exit 1; }
cp -r "$root/registry/target/classes" "$work/berth-classes"   # a snapshot: others may rebuild target/
port=$(free_port)
mkdir -p "$work/berth"
auth=(); auth_yaml=""
case "${AUTH:-}" in
  "") ;;
  basic|token)
    htpasswd -nbB alice secret >"$work/berth/htpasswd"
    auth_yaml=$'auth:\n  htpasswd: htpasswd'
    [ "$AUTH" = token ] && auth_yaml+=$'\n  token:\n    service: berth-registry\n    issuer: berth-registry\n  access:\n    - account: alice\n      repository: "myorg/*"\n      actions: [pull, push, delete]'
    auth=(OCI_USERNAME=alice OCI_PASSWORD=secret) ;;
  *) echo "conformance: AUTH is basic or token, not '$AUTH'" >&2; exit 2 ;;
esac
cat >"$work/berth/registry.yml" <<EOF
listen: 127.0.0.1:$port
storage:
  root: data
  delete: true
log:
  access: access.log
$auth_yaml
EOF
"$java" -cp "$work/berth-classes:$(cat "$work/cp")" dev.berth.registry.RegistryServer "$work/berth/registry.yml" \
  >"$work/berth/server.out" 2>&1 &
BERTH_PID=$!; PIDS="$PIDS $BERTH_PID"
wait_http "http://127.0.0.1:$port/v2/"
berth_rc=0
run_suite berth "http://127.0.0.1:$port" "${auth[@]}" || berth_rc=$?

# 3. The same suite against Debian's docker-registry, deletes on.
if [ "${SKIP_DOCKER_REGISTRY:-0}" != 1 ] && command -v docker-registry >/dev/null; then
  dport=$(free_port)
  mkdir -p "$work/dreg/data"
  cat >"$work/dreg/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/dreg/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$dport
EOF
  docker-registry serve "$work/dreg/config.yml" >"$work/dreg/server.out" 2>&1 &
  PIDS="$PIDS $!"
  wait_http "http://127.0.0.1:$dport/v2/"
  run_suite docker-registry "http://127.0.0.1:$dport" || true
fi
exit $berth_rc

# Sourced by bin/berth and bin/berthd: finds a JDK 25, builds the class path from lib/ and runs a
# main class with a start-up cache. Callers set BERTH_MAIN and BERTH_KIND (cli|daemon) first.
# Environment: BERTH_JAVA (a java binary), JAVA_HOME, BERTH_JAVA_OPTS (extra JVM flags),
# BERTH_AOT=0 (no start-up cache), BERTH_CACHE_DIR (where the cache lives).

berth_die() { echo "berth: $*" >&2; exit 1; }

# The major version from a JDK's release file: no JVM start, which would cost more than we save.
berth_jdk_major() {
  local line
  [ -r "$1/release" ] || return 1
  line=$(grep -m1 '^JAVA_VERSION=' "$1/release") || return 1
  line=${line#JAVA_VERSION=\"}
  echo "${line%%[.\"]*}"
}

berth_find_java() {
  if [ -n "${BERTH_JAVA:-}" ]; then
    [ -x "$BERTH_JAVA" ] || berth_die "BERTH_JAVA=$BERTH_JAVA is not an executable"
    echo "$BERTH_JAVA"; return
  fi
  local major best="" best_major=0 d
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(berth_jdk_major "$JAVA_HOME") || major=0
    if [ "$major" -ge 25 ] 2>/dev/null; then echo "$JAVA_HOME/bin/java"; return; fi
  fi
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] || continue
    major=$(berth_jdk_major "$d") || continue
    if [ "$major" -ge 25 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then best="$d"; best_major=$major; fi
  done
  [ -n "$best" ] || berth_die "no Java 25 found (BERTH_JAVA unset, JAVA_HOME=${JAVA_HOME:-unset}, none under /usr/lib/jvm).
berth: install one, e.g. Temurin 25 (https://adoptium.net) or run scripts/install-deps.sh, or set BERTH_JAVA=/path/to/java."
  echo "$best/bin/java"
}

# A writable directory for the start-up cache: next to the jars, else the user's cache.
berth_cache_dir() {
  if [ -n "${BERTH_CACHE_DIR:-}" ]; then mkdir -p "$BERTH_CACHE_DIR" 2>/dev/null && echo "$BERTH_CACHE_DIR"; return; fi
  if mkdir -p "$BERTH_HOME/lib/aot" 2>/dev/null && [ -w "$BERTH_HOME/lib/aot" ]; then echo "$BERTH_HOME/lib/aot"; return; fi
  local d="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/berth"
  mkdir -p "$d" 2>/dev/null && [ -w "$d" ] && echo "$d"
}

berth_run() {
  local java jars cp stamp cache_dir
  java=$(berth_find_java)
  jars=("$BERTH_HOME"/lib/*.jar)                 # glob order is sorted: a stable class path
  [ -e "${jars[0]}" ] || berth_die "no jars in $BERTH_HOME/lib: build with ./mvnw -B -DskipTests package"
  cp=$(IFS=:; echo "${jars[*]}")

  # -Xshare:auto is the default; naming it would forbid -XX:AOTCacheOutput in the training run.
  local -a opts=(--enable-native-access=ALL-UNNAMED -XX:-UsePerfData)
  if [ "$BERTH_KIND" = cli ]; then
    # A short-lived client: C1 only and the serial GC start fastest.
    opts+=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
  fi
  # shellcheck disable=SC2206
  opts+=(${BERTH_JAVA_OPTS:-})

  if [ "${BERTH_AOT:-1}" != 0 ] && cache_dir=$(berth_cache_dir) && [ -n "$cache_dir" ]; then
    # The cache is valid for one JVM and one exact set of jars: name it after both.
    # (inode, size, mtime) of the real java binary, whatever symlink led to it, and of each jar.
    stamp=$({ echo "$cp"; stat -L -c '%i %s %Y' "$java" "${jars[@]}"; } | cksum | cut -d' ' -f1)
    local cache="$cache_dir/$BERTH_KIND-$stamp"
    if [ "$BERTH_KIND" = cli ]; then
      if [ -f "$cache.aot" ]; then
        opts+=("-XX:AOTCache=$cache.aot" -Xlog:aot=off -Xlog:cds=off)
      else
        berth_train_cli "$java" "$cp" "$cache" "${opts[@]}"
      fi
    else
      # The daemon runs long: a dynamic CDS archive written when it exits is enough.
      opts+=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$cache.jsa" -Xlog:aot=off -Xlog:cds=off)
    fi
  fi
  exec "$java" "${opts[@]}" -cp "$cp" "$BERTH_MAIN" "$@"
}

# Records the CLI's AOT cache in the background with `berth __aot-train` (common commands against
# an in-process stand-in server, no daemon needed), so this run is not slowed down and its output
# stays clean; the next run uses the cache.
berth_train_cli() {
  local java=$1 cp=$2 cache=$3; shift 3
  mkdir "$cache.lock" 2>/dev/null || return 0   # someone else is training
  (
    trap 'rm -rf "$cache.lock" "$cache.tmp.aot" "$cache.tmp.aot.config"' EXIT
    "$java" "$@" -Xlog:aot=off -Xlog:cds=off "-XX:AOTCacheOutput=$cache.tmp.aot" \
      -cp "$cp" "$BERTH_MAIN" ${BERTH_AOT_TRAIN:-__aot-train} && [ -f "$cache.tmp.aot" ] || exit 0
    mv -f "$cache.tmp.aot" "$cache.aot"
    for old in "${cache%-*}"-*.aot; do            # caches for older jars or JVMs
      case $old in "$cache.aot" | *.tmp.aot) ;; *) rm -f "$old" ;; esac
    done
  ) </dev/null >/dev/null 2>&1 &
  disown 2>/dev/null || true
}

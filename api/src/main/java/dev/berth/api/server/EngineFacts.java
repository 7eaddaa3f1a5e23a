package dev.berth.api.server;

import dev.berth.errors.FailedPreconditionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * What {@code /version} and {@code /info} say about berthd and its host, read once at startup
 * from {@code /proc}, {@code /etc/os-release} and the state root. Cheap reads only: berthd must
 * answer its first ping fast, so anything that runs a program (the runc version) waits for the first
 * {@code /info}.
 *
 * @param id the engine ID, a UUID kept in {@code ROOT/engine-id} so it survives restarts (Docker 23+ does the same)
 * @param rootDir the state root, Docker's {@code DockerRootDir}
 * @param hostname Docker's {@code Name}
 * @param kernelVersion e.g. {@code 6.1.0-18-amd64}
 * @param operatingSystem {@code PRETTY_NAME} of os-release
 * @param osVersion {@code VERSION_ID} of os-release
 * @param architecture as {@code uname -m}: {@code x86_64}
 * @param goArch as Docker's {@code Arch}: {@code amd64}
 * @param ncpu processors available to berthd
 * @param memTotal bytes, {@code MemTotal} of /proc/meminfo
 * @param cgroupVersion {@code "2"} when /sys/fs/cgroup is a cgroup2 mount, else {@code "1"} (hybrid included)
 * @param runcPath the runc berthd would run, or just {@code runc} when none is on PATH
 * @param version berth's version
 * @param gitCommit the commit berth was built from, or empty
 * @param buildTime when berth was built, or empty
 */
public record EngineFacts(
    String id,
    Path rootDir,
    String hostname,
    String kernelVersion,
    String operatingSystem,
    String osVersion,
    String architecture,
    String goArch,
    int ncpu,
    long memTotal,
    String cgroupVersion,
    String runcPath,
    String version,
    String gitCommit,
    String buildTime) {

  /** Reads the facts of this host for a daemon whose state root is {@code root} (created if missing). */
  public static EngineFacts probe(Path root) {
    Map<String, String> osRelease = osRelease(Path.of("/etc/os-release"));
    Properties build = buildInfo();
    String goArch = goArch(System.getProperty("os.arch"));
    return new EngineFacts(
        engineId(root),
        root.toAbsolutePath(),
        firstLine(Path.of("/proc/sys/kernel/hostname")).orElse("localhost"),
        firstLine(Path.of("/proc/sys/kernel/osrelease")).orElse(System.getProperty("os.version")),
        osRelease.getOrDefault("PRETTY_NAME", "Linux"),
        osRelease.getOrDefault("VERSION_ID", ""),
        unameMachine(goArch),
        goArch,
        Runtime.getRuntime().availableProcessors(),
        readMemTotal(),
        cgroupVersion(Path.of("/proc/self/mountinfo")),
        onPath("runc").map(Path::toString).orElse("runc"),
        build.getProperty("version", "0.0.0-dev"),
        build.getProperty("gitCommit", ""),
        build.getProperty("buildTime", ""));
  }

  /** The engine ID in {@code root/engine-id}, made on first start. */
  static String engineId(Path root) {
    Path file = root.resolve("engine-id");
    try {
      if (Files.exists(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!id.isEmpty()) {
          return id;
        }
      }
      Files.createDirectories(root);
      String id = UUID.randomUUID().toString();
      Path tmp = Files.createTempFile(root, ".engine-id", ".tmp");
      Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new FailedPreconditionException("keeping the engine ID in " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses os-release: {@code KEY=value} lines, values maybe quoted. */
  static Map<String, String> osRelease(Path file) {
    var map = new java.util.HashMap<String, String>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int eq = line.indexOf('=');
        if (eq <= 0 || line.startsWith("#")) {
          continue;
        }
        String v = line.substring(eq + 1).strip();
        if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'")) && v.endsWith(v.substring(0, 1))) {
          v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        map.put(line.substring(0, eq).strip(), v);
      }
    } catch (IOException e) {
      // No os-release: the defaults say Linux.
    }
    return map;
  }

  /**
   * "2" when {@code /sys/fs/cgroup} itself is a cgroup2 mount. A hybrid host (cgroup v1
   * controllers with cgroup2 at /sys/fs/cgroup/unified) is "1", as Docker reports it.
   */
  static String cgroupVersion(Path mountinfo) {
    try {
      for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
        // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
        String[] f = line.split(" ");
        int dash = List.of(f).indexOf("-");
        if (f.length > 4 && dash > 0 && dash + 1 < f.length && f[4].equals("/sys/fs/cgroup")) {
          return f[dash + 1].equals("cgroup2") ? "2" : "1";
        }
      }
    } catch (IOException e) {
      // not Linux, or no /proc: say v1 below
    }
    return "1";
  }

  private static long readMemTotal() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          String[] f = line.split("\\s+");
          return Long.parseLong(f[1]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return Runtime.getRuntime().maxMemory();
  }

  private static String goArch(String javaArch) {
    return switch (javaArch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      case "x86", "i386", "i686" -> "386";
      default -> javaArch;
    };
  }

  private static String unameMachine(String goArch) {
    return switch (goArch) {
      case "amd64" -> "x86_64";
      case "arm64" -> "aarch64";
      case "386" -> "i686";
      default -> goArch;
    };
  }

  private static Optional<String> firstLine(Path file) {
    try {
      return Files.readAllLines(file).stream().findFirst().map(String::strip);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static Optional<Path> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static Properties buildInfo() {
    var p = new Properties();
    try (InputStream in = EngineFacts.class.getResourceAsStream("berth-build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // An unfiltered resource (run from an IDE) still says ${project.version}.
    p.entrySet().removeIf(e -> e.getValue().toString().startsWith("${"));
    return p;
  }

  private static final Pattern RUNC_COMMIT = Pattern.compile("(?m)^commit: (\\S+)");
  private static final Pattern RUNC_VERSION = Pattern.compile("(?m)^runc version (\\S+)");

  /** What {@code runc --version} says; empty strings when runc does not answer. */
  record RuncVersion(String version, String commit) {}

  RuncVersion runcVersion() {
    try {
      Process p = new ProcessBuilder(runcPath, "--version").redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      var v = RUNC_VERSION.matcher(out);
      var c = RUNC_COMMIT.matcher(out);
      return new RuncVersion(v.find() ? v.group(1) : "", c.find() ? c.group(1) : "");
    } catch (IOException e) {
      return new RuncVersion("", "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new RuncVersion("", "");
    }
  }
}

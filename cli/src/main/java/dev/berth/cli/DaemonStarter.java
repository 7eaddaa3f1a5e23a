package dev.berth.cli;

import dev.berth.http.HttpClient;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Starts {@code berthd} when no daemon answers on its unix socket, as Gradle starts its daemon.
 *
 * <p>The launcher is {@code <home>/bin/berthd}, home being {@code $BERTH_HOME} or the directory
 * above the {@code lib/} holding the CLI's jar; without one (a build tree, tests) it is {@code java
 * -cp <the CLI's class path> dev.berth.daemon.BerthDaemon} with the CLI's own java. The daemon is
 * detached: a new session through {@code setsid} when there is one, stdin from {@code /dev/null},
 * stdout and stderr appended to {@code <root>/berthd.log}; it outlives the CLI.
 *
 * <p>Starting holds an exclusive lock on {@code <socket>.lock} and pings again once it has it, so
 * CLIs racing to start a daemon start one: the others find it answering.
 */
final class DaemonStarter {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final String MAIN_CLASS = "dev.berth.daemon.BerthDaemon";
  private static final int LOG_TAIL_LINES = 20;
  // File locks are held per JVM: threads of one JVM (in-process tests) must queue here first.
  private static final ReentrantLock IN_PROCESS = new ReentrantLock();

  private final Path socket;
  private final Path root;
  private final Map<String, String> env;
  private final PrintStream err;

  DaemonStarter(Path socket, Path root, Map<String, String> env, PrintStream err) {
    this.socket = socket;
    this.root = root;
    this.env = env;
    this.err = err;
  }

  /** Makes sure a daemon answers on the socket, starting one if none does. */
  void ensureRunning() throws IOException {
    Path parent = socket.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new CliException("cannot start berthd: cannot create " + parent + " for its socket: " + e.getMessage()
          + " (run as a user who can, or choose a socket with -H unix:///path.sock)");
    }
    Path lockFile = parent.resolve(socket.getFileName() + ".lock");
    IN_PROCESS.lock();
    try (FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        var held = lock.lock()) {
      if (answers()) {
        return; // another CLI started it while we waited for the lock
      }
      start();
    } finally {
      IN_PROCESS.unlock();
    }
  }

  private void start() throws IOException {
    Files.createDirectories(root);
    Path log = root.resolve("berthd.log");
    List<String> command = command();
    var pb = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectErrorStream(true);
    Process process = pb.start();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (answers()) {
        err.println("berth: started berthd (pid " + process.pid() + ", root " + root + ", log " + log + ")");
        return;
      }
      if (!process.isAlive()) {
        throw new CliException("berthd exited with status " + process.exitValue() + " before it answered on "
            + socket + "; the end of " + log + ":\n" + tail(log));
      }
      sleep(50);
    }
    // Left running: it may be slow to open a large state root, and killing it mid-way helps nobody.
    throw new CliException("berthd (pid " + process.pid() + ") did not answer on " + socket + " within "
        + TIMEOUT.toSeconds() + " s; the end of " + log + ":\n" + tail(log));
  }

  /** The command that starts the daemon, detached into a session of its own when setsid exists. */
  List<String> command() {
    List<String> cmd = new ArrayList<>();
    Path setsid = Path.of("/usr/bin/setsid");
    if (Files.isExecutable(setsid)) {
      cmd.add(setsid.toString());
    }
    Path launcher = launcher();
    if (launcher != null) {
      cmd.add(launcher.toString());
    } else {
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("--enable-native-access=ALL-UNNAMED");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(MAIN_CLASS);
    }
    cmd.addAll(List.of("--root", root.toString(), "-H", "unix://" + socket.toAbsolutePath()));
    return cmd;
  }

  /** {@code <home>/bin/berthd} of the distribution this CLI runs from, if it does. */
  private Path launcher() {
    Path home = null;
    String fromEnv = env.get("BERTH_HOME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      home = Path.of(fromEnv);
    } else {
      try {
        var source = BerthCli.class.getProtectionDomain().getCodeSource();
        Path jar = source == null ? null : Path.of(source.getLocation().toURI());
        if (jar != null && jar.toString().endsWith(".jar") && jar.getParent() != null
            && jar.getParent().getFileName().toString().equals("lib")) {
          home = jar.getParent().getParent();
        }
      } catch (Exception e) {
        return null;
      }
    }
    if (home == null) {
      return null;
    }
    Path berthd = home.resolve("bin").resolve("berthd");
    return Files.isExecutable(berthd) ? berthd : null;
  }

  private boolean answers() {
    try (var client = HttpClient.unix(socket); var res = client.get("/_ping")) {
      res.bytes();
      return res.status() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting for berthd");
    }
  }
}

package dev.berth.testing.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real dockerd 20.10 as a reference peer, with everything in a temp dir of its own: data
 * root, exec root, pidfile, socket, daemon.json, trust key, and the containerd it spawns (whose
 * root and state dockerd derives from data root and exec root). No bridge, no iptables: it never
 * touches the host network.
 *
 * <pre>{@code
 * try (var docker = Dockerd.start()) {
 *   docker.docker("load", "-i", tar.toString()).checked();
 *   String json = docker.docker("image", "inspect", "busybox:latest").checked().out();
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops dockerd (SIGTERM, then SIGKILL), kills any containerd or shim still
 * naming the temp dir, deletes containers runc still knows, unmounts what is left and deletes the
 * temp dir.
 */
public final class Dockerd implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path home;
  private final Path docker;
  private final Process process;
  private final Thread shutdownHook;
  private boolean closed;

  private Dockerd(Path home, Path docker, Process process) {
    this.home = home;
    this.docker = docker;
    this.process = process;
    this.shutdownHook = new Thread(this::close, "dockerd-fixture-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a dockerd and waits until {@code /_ping} answers; fails with the install hint if it is missing. */
  public static Dockerd start() {
    Tools.requireRoot("dockerd");
    var dockerd = Tools.requireTool("dockerd");
    var docker = Tools.requireTool("docker");
    Tools.requireTool("containerd");
    Tools.requireTool("runc");
    var home = TempDirs.create("dockerd-");
    Process p;
    try {
      Files.createDirectories(home.resolve("data"));
      Files.createDirectories(home.resolve("exec"));
      Files.createDirectories(home.resolve("cli"));
      // Our own daemon.json: the host's /etc/docker/daemon.json must not apply, and the trust key
      // dockerd 20.10 otherwise writes to /etc/docker/key.json goes here (no CLI flag for it).
      Files.writeString(home.resolve("daemon.json"), """
          {"deprecated-key-path": "%s"}
          """.formatted(home.resolve("key.json")));
      var argv = List.of(dockerd.toString(),
          "--config-file", home.resolve("daemon.json").toString(),
          "--data-root", home.resolve("data").toString(),
          "--exec-root", home.resolve("exec").toString(),
          "--pidfile", home.resolve("docker.pid").toString(),
          "-H", "unix://" + home.resolve("docker.sock"),
          "--default-ulimit", "nofile=20000:20000",
          "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
          "--userland-proxy=false",
          // Containers left running are killed after 1 s on shutdown, not the default 15.
          "--shutdown-timeout", "1");
      p = new ProcessBuilder(argv)
          .redirectErrorStream(true)
          .redirectOutput(home.resolve("dockerd.log").toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
    } catch (IOException e) {
      TempDirs.delete(home);
      throw new UncheckedIOException("starting dockerd in " + home, e);
    }
    var d = new Dockerd(home, docker, p);
    try {
      d.awaitReady();
      return d;
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("dockerd exited " + process.exitValue() + " while starting\n" + logTail());
      }
      if (ping()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for dockerd", e);
      }
    }
    throw new IllegalStateException("dockerd did not answer /_ping within " + START_TIMEOUT + "\n" + logTail());
  }

  /** True when GET /_ping on the socket answers 200. */
  public boolean ping() {
    if (!Files.exists(socket())) {
      return false;
    }
    try (var ch = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
      ch.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      var buf = ByteBuffer.allocate(64);
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // A status line fits in 64 bytes.
      }
      var head = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
      return head.startsWith("HTTP/1.") && head.substring(9).startsWith("200");
    } catch (IOException e) {
      return false;
    }
  }

  public Path home() {
    return home;
  }

  public Path socket() {
    return home.resolve("docker.sock");
  }

  /** DOCKER_HOST for clients: "unix:///tmp/dockerd-…/docker.sock". */
  public String host() {
    return "unix://" + socket();
  }

  public Path dataRoot() {
    return home.resolve("data");
  }

  public Path execRoot() {
    return home.resolve("exec");
  }

  public long pid() {
    return process.pid();
  }

  /** The stock docker CLI talking to this daemon (its own DOCKER_CONFIG, classic builder). */
  public Command command(String... args) {
    var argv = new ArrayList<String>(List.of(docker.toString()));
    argv.addAll(List.of(args));
    return Command.of(argv)
        .withEnv("DOCKER_HOST", host())
        .withEnv("DOCKER_CONFIG", home.resolve("cli").toString())
        .withEnv("DOCKER_BUILDKIT", "0");
  }

  /** Runs the docker CLI; a failure is in the result (call {@code .checked()} to throw on it). */
  public ProcessResult docker(String... args) {
    return command(args).run();
  }

  /** The last lines of dockerd's log, for failure messages. */
  public String logTail() {
    try {
      var lines = Files.readAllLines(home.resolve("dockerd.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no dockerd log: " + e.getMessage() + ")";
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: we are the hook.
    }
    removeContainers();
    try {
      process.destroy(); // SIGTERM: dockerd stops its containers, then its containerd
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        ProcessRunner.kill(process);
      }
    } catch (InterruptedException e) {
      ProcessRunner.kill(process);
      Thread.currentThread().interrupt();
    }
    // After an unclean stop, containers outlive dockerd: runc kills them and frees their cgroups
    // (their processes do not name our dirs). Then containerd and shims, which do.
    deleteRuncContainers();
    TempDirs.killProcessesUsing(home);
    TempDirs.delete(home);
  }

  /** Force-removes all containers first: much faster than dockerd's own shutdown path for them. */
  private void removeContainers() {
    if (!process.isAlive()) {
      return;
    }
    try {
      var ids = command("ps", "-aq").withTimeout(Duration.ofSeconds(20)).run().out().lines()
          .map(String::strip).filter(s -> !s.isEmpty()).toList();
      if (!ids.isEmpty()) {
        var args = new ArrayList<String>(List.of("rm", "--force", "--volumes"));
        args.addAll(ids);
        command(args.toArray(String[]::new)).withTimeout(Duration.ofSeconds(30)).run();
      }
    } catch (CommandFailedException e) {
      // Best effort: SIGTERM and the sweep below still stop them.
    }
  }

  /** Containers runc still knows under our runtime root (only after an unclean stop). */
  private void deleteRuncContainers() {
    var runc = Tools.find("runc");
    if (runc.isEmpty()) {
      return;
    }
    // The runc v2 shim keeps state in exec-root/runtime-runc; the v1 shim in data-root/runc.
    for (var runcRoot : List.of(execRoot().resolve("runtime-runc/moby"), dataRoot().resolve("runc/moby"))) {
      if (!Files.isDirectory(runcRoot)) {
        continue;
      }
      var list = Command.of(runc.get().toString(), "--root", runcRoot.toString(), "list", "-q")
          .withTimeout(Duration.ofSeconds(20)).run();
      for (var id : list.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
        Command.of(runc.get().toString(), "--root", runcRoot.toString(), "delete", "--force", id)
            .withTimeout(Duration.ofSeconds(20)).run();
      }
    }
  }
}

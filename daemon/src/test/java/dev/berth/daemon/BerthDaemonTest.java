package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.http.HttpClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BerthDaemonTest {
  private Path dir;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void tempDir() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "berthd-");
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** berthd in its own JVM, as the launcher runs it, on the test class path. */
  private Process berthd(String... args) throws IOException {
    var argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
        BerthDaemon.class.getName()));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(false)
        .redirectError(dir.resolve("stderr-" + started.size() + ".log").toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    started.add(p);
    return p;
  }

  private static boolean pings(Path socket) {
    if (!Files.exists(socket)) {
      return false;
    }
    try (var client = HttpClient.unix(socket)) {
      return client.get("/_ping").text().equals("OK");
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void servesLocksTheRootAndCleansUpOnSigterm() throws Exception {
    Path root = dir.resolve("root");
    Path socket = dir.resolve("berth.sock");
    long t0 = System.nanoTime();
    Process p = berthd("--root", root.toString(), "-H", "unix://" + socket, "--log-level", "debug");
    while (!pings(socket)) {
      assertTrue(p.isAlive(), () -> "berthd died: " + log(0));
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20), "berthd did not answer within 20 s");
      Thread.sleep(5);
    }
    long startupMillis = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("berthd answered /_ping " + startupMillis + " ms after exec");

    Path pidfile = root.resolve("berthd.pid");
    assertEquals(String.valueOf(p.pid()), Files.readString(pidfile).strip());

    // A second daemon on the same root is refused, naming the first.
    Process second = berthd("--root", root.toString(), "-H", "unix://" + dir.resolve("other.sock"));
    assertTrue(second.waitFor(20, TimeUnit.SECONDS));
    assertEquals(1, second.exitValue());
    assertTrue(log(1).contains("another berthd (pid " + p.pid() + ") is using this root"), log(1));
    assertFalse(Files.exists(dir.resolve("other.sock")));
    assertTrue(pings(socket), "the first daemon is unharmed");

    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "berthd did not stop on SIGTERM");
    assertFalse(Files.exists(socket), "socket removed");
    assertFalse(Files.exists(pidfile), "pidfile removed");
    String log = log(0);
    assertTrue(log.contains("INFO dev.berth.daemon: API listening on unix://" + socket), log);
    assertTrue(log.contains("DEBUG dev.berth.api: GET /_ping 200"), log);

    // The root is free again.
    Process third = berthd("--root", root.toString(), "-H", "unix://" + socket);
    long t1 = System.nanoTime();
    while (!pings(socket)) {
      assertTrue(third.isAlive(), () -> "berthd died: " + log(2));
      assertTrue(System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(20));
      Thread.sleep(5);
    }
    third.destroy();
    assertTrue(third.waitFor(20, TimeUnit.SECONDS));
  }

  @Test
  void inProcessDaemonRefusesASecondOnTheSameRoot() throws Exception {
    var config = new Daemon.Config(dir.resolve("root"), List.of("unix://" + dir.resolve("a.sock")), null, false);
    try (var daemon = Daemon.start(config)) {
      assertEquals(1, daemon.servers().size());
      var again = new Daemon.Config(dir.resolve("root"), List.of("unix://" + dir.resolve("b.sock")), null, false);
      var e = assertThrows(FailedPreconditionException.class, () -> Daemon.start(again));
      assertTrue(e.getMessage().contains("(pid " + ProcessHandle.current().pid() + ")"), e.getMessage());
    }
    assertFalse(Files.exists(dir.resolve("a.sock")));
    assertFalse(Files.exists(dir.resolve("root/berthd.pid")));
  }

  @Test
  void hostAddresses() {
    assertEquals(UnixDomainSocketAddress.of("/run/berth/berth.sock"), Daemon.address("unix:///run/berth/berth.sock"));
    assertEquals(UnixDomainSocketAddress.of("/x.sock"), Daemon.address("/x.sock"));
    var tcp = assertInstanceOf(InetSocketAddress.class, Daemon.address("tcp://127.0.0.1:2375"));
    assertEquals(2375, tcp.getPort());
    assertEquals("127.0.0.1", tcp.getHostString());
    assertThrows(InvalidArgumentException.class, () -> Daemon.address("unix://relative.sock"));
    assertThrows(InvalidArgumentException.class, () -> Daemon.address("tcp://127.0.0.1"));
    assertThrows(InvalidArgumentException.class, () -> Daemon.address("fd://"));
  }

  private String log(int n) {
    try {
      return Files.readString(dir.resolve("stderr-" + n + ".log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}

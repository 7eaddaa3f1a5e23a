package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI starting a real berthd process (java -cp with the test's class path) when none answers. */
class AutoStartTest {
  @TempDir Path tmp;

  @Test
  void concurrentClisStartOneDaemon() throws Exception {
    Path root = tmp.resolve("root");
    String host = "unix://" + tmp.resolve("run/berth.sock");
    Map<String, String> env = Map.of("BERTH_ROOT", root.toString());
    List<BerthCliTestSupport.Result> results = new ArrayList<>();
    try (var pool = Executors.newFixedThreadPool(3)) {
      List<Future<BerthCliTestSupport.Result>> runs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        runs.add(pool.submit(() -> BerthCliTestSupport.runWithHost(host, env, "images", "-q")));
      }
      for (var f : runs) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      stop(root);
    }
    long started = results.stream().filter(r -> r.err().startsWith("berth: started berthd (pid ")).count();
    for (var r : results) {
      assertEquals(0, r.code(), r.err());
      assertEquals("", r.out());
    }
    assertEquals(1, started, results.toString());
    String note = results.stream().map(BerthCliTestSupport.Result::err).filter(e -> !e.isEmpty()).findFirst().orElseThrow();
    assertTrue(note.endsWith(", root " + root + ", log " + root.resolve("berthd.log") + ")\n"), note);
  }

  @Test
  void aDaemonThatDiesIsReportedWithItsLog() throws Exception {
    Path home = tmp.resolve("home");
    Path berthd = home.resolve("bin/berthd");
    Files.createDirectories(berthd.getParent());
    Files.writeString(berthd, "#!/bin/sh\necho \"berthd: cannot use root: boom\" >&2\nexit 3\n");
    Files.setPosixFilePermissions(berthd, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path root = tmp.resolve("root");
    var r = BerthCliTestSupport.runWithHost("unix://" + tmp.resolve("b.sock"),
        Map.of("BERTH_HOME", home.toString(), "BERTH_ROOT", root.toString()), "images");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("berthd exited with status 3 before it answered on "), r.err());
    assertTrue(r.err().contains("berthd: cannot use root: boom"), r.err());
  }

  @Test
  void versionNeverStartsADaemon() {
    Path root = tmp.resolve("root");
    var r = BerthCliTestSupport.runWithHost("unix://" + tmp.resolve("v.sock"), Map.of("BERTH_ROOT", root.toString()),
        "version");
    assertEquals(1, r.code());
    assertTrue(r.out().startsWith("Client:\n"), r.out());
    assertTrue(r.err().startsWith("Cannot connect to the berth daemon"), r.err());
    assertTrue(Files.notExists(root));
    assertEquals(0, BerthCliTestSupport.runWithHost("unix://" + tmp.resolve("v.sock"), Map.of(), "version", "--client").code());
  }

  /** Stops the daemon the CLI started, by the pid in its pidfile, and waits for it to go. */
  private static void stop(Path root) throws Exception {
    Path pidfile = root.resolve("berthd.pid");
    if (!Files.exists(pidfile)) {
      return;
    }
    long pid = Long.parseLong(Files.readString(pidfile).strip());
    var handle = ProcessHandle.of(pid);
    if (handle.isPresent()) {
      handle.get().destroy();
      handle.get().onExit().get(15, TimeUnit.SECONDS);
    }
  }
}

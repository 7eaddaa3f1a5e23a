package dev.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.ProcessResult;
import dev.berth.testing.tools.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Containers through the assembled distribution: the README's first command (run in the
 * background, then its logs), and a berthd killed with SIGKILL while a container runs: the next
 * berthd the CLI starts finds it still running under conmon.
 */
class ContainersDistributionTest {
  static final Path HOME = Path.of("..", "dist", "target", "berth").toAbsolutePath().normalize();
  static Path dir;
  static Path root;
  static Path socket;

  @BeforeAll
  static void setUp() throws Exception {
    assertTrue(Files.isExecutable(HOME.resolve("bin/berth")), "dist not assembled at " + HOME);
    // A short root: conmon's attach socket paths under it must fit a unix socket address.
    dir = Files.createDirectory(Path.of("/tmp", "e" + Long.toString(
        java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 24, 36)));
    root = dir.resolve("r");
    socket = dir.resolve("s.sock");
    Path tar = dir.resolve("busybox.tar");
    BusyboxRootfs.create(dir.resolve("rootfs")).writeTar(tar);
    berth("import", "--change", "CMD [\"sh\"]", "--change", "ENV PATH=" + BusyboxRootfs.PATH, tar.toString(),
        "busybox:latest").checked();
  }

  @AfterAll
  static void tearDown() throws Exception {
    berth("rm", "-f", "hello", "sleeper");
    stopDaemon(false);
    TempDirs.delete(dir);
  }

  static void stopDaemon(boolean kill) throws Exception {
    Path pidfile = root.resolve("berthd.pid");
    if (Files.exists(pidfile)) {
      long pid = Long.parseLong(Files.readString(pidfile).strip());
      ProcessHandle.of(pid).ifPresent(p -> {
        if (kill) {
          p.destroyForcibly();
        } else {
          p.destroy();
        }
        p.onExit().orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
      });
    }
  }

  static ProcessResult berth(String... args) {
    List<String> argv = new ArrayList<>(List.of(HOME.resolve("bin/berth").toString()));
    argv.addAll(List.of(args));
    return Command.of(argv).withEnv("BERTH_ROOT", root.toString()).withEnv("BERTH_HOST", "unix://" + socket).run();
  }

  @Test
  void readmeFirstCommandRunsAContainerAndShowsItsLogs() {
    String id = berth("run", "-d", "--name", "hello", "busybox", "sh", "-c", "echo hello from berth").checked().out().strip();
    assertTrue(id.matches("[0-9a-f]{64}"), id);
    assertEquals("0", berth("wait", "hello").checked().out().strip());
    assertEquals("hello from berth\n", berth("logs", "hello").checked().out());
    String ps = berth("ps", "-a").checked().out();
    assertTrue(ps.lines().anyMatch(l -> l.startsWith(id.substring(0, 12)) && l.contains("Exited (0)") && l.endsWith("hello")), ps);
    berth("rm", "hello").checked();
  }

  @Test
  void containersOutliveAKilledDaemon() throws Exception {
    berth("run", "-d", "--name", "sleeper", "busybox", "sleep", "1000").checked();
    String pid = berth("inspect", "-f", "{{.State.Pid}}", "sleeper").checked().out().strip();
    stopDaemon(true);
    assertTrue(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false), "the container survived");
    // The next command starts a new berthd, which finds the container running.
    assertEquals("running " + pid, berth("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", "sleeper").checked().out().strip());
    berth("kill", "sleeper").checked();
    assertEquals("137", berth("wait", "sleeper").checked().out().strip());
    berth("rm", "sleeper").checked();
    assertEquals(List.of(), TempDirs.mountsUnder(root));
  }
}

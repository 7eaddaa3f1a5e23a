package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.runtime.spec.Limits;
import dev.berth.runtime.spec.RunConfig;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ContainerRuntimeTest {
  static RuntimeFixture fx;

  @BeforeAll
  static void setUp() {
    fx = new RuntimeFixture();
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  private ContainerStatus run(String id, dev.berth.runtime.spec.Spec spec) {
    fx.runtime.create(id, spec, CreateOptions.defaults());
    fx.runtime.start(id);
    return fx.runtime.waitExit(id, Duration.ofSeconds(30)).orElseThrow();
  }

  private static String log(ContainerStatus st) throws Exception {
    return Files.readString(st.logPath());
  }

  @Test
  void echoHelloLandsInTheK8sFileLog() throws Exception {
    var id = fx.id("hello");
    var created = fx.runtime.create(id, fx.spec("sh", "-c", "echo hello; echo err >&2"), CreateOptions.defaults());
    assertEquals(ContainerStatus.Status.CREATED, created.status());
    assertTrue(created.pid() > 0);
    fx.runtime.start(id);
    var done = fx.runtime.waitExit(id, Duration.ofSeconds(30)).orElseThrow();
    assertEquals(0, done.exitCode());
    assertEquals(ContainerStatus.Status.STOPPED, done.status());
    var lines = Files.readAllLines(done.logPath());
    assertTrue(lines.stream().anyMatch(l -> l.matches("\\S+ stdout F hello")), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.matches("\\S+ stderr F err")), lines.toString());
    fx.runtime.delete(id, false);
    assertFalse(Files.exists(done.bundle()));
    assertTrue(dev.berth.runtime.Cgroups.dirs(fx.runtime.cgroupsPath(id)).isEmpty());
  }

  @Test
  void exitCodesComeFromConmon() {
    var st = run(fx.id("exit"), fx.spec("sh", "-c", "exit 3"));
    assertEquals(3, st.exitCode());
  }

  @Test
  void aCommandNotInTheRootfsFailsAsDockerSays() {
    var id = fx.id("nope");
    var e = assertThrows(InvalidArgumentException.class,
        () -> fx.runtime.create(id, fx.spec("nope"), CreateOptions.defaults()));
    assertTrue(e.getMessage().contains("exec: \"nope\": executable file not found in $PATH"), e.getMessage());
    assertEquals(127, ContainerRuntime.startFailureExitCode(e.getMessage()));
    assertFalse(Files.exists(fx.runtime.root().resolve("containers").resolve(id)));
    assertTrue(dev.berth.runtime.Cgroups.dirs(fx.runtime.cgroupsPath(id)).isEmpty());
  }

  @Test
  void memoryLimitExceededIsOomKilled() {
    var run = RunConfig.builder().cmd("sh", "-c", "x=$(head -c 64000000 /dev/zero | tr '\\0' a); echo done")
        .limits(Limits.NONE.withMemory(Limits.parseBytes("memory", "16m")).withMemorySwap(Limits.parseBytes("memory-swap", "16m")))
        .build();
    var st = run(fx.id("oom"), fx.spec(run));
    assertTrue(st.oomKilled(), st.toString());
    assertEquals(137, st.exitCode());
  }
}

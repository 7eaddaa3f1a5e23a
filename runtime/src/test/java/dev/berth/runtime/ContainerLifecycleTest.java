package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.runtime.spec.Limits;
import dev.berth.runtime.spec.MountSpec;
import dev.berth.runtime.spec.RunConfig;
import dev.berth.runtime.spec.Spec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ContainerLifecycleTest {
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

  private ContainerStatus run(Spec spec) {
    var id = fx.id("c");
    fx.runtime.create(id, spec, CreateOptions.defaults());
    fx.runtime.start(id);
    return fx.runtime.waitExit(id, Duration.ofSeconds(30)).orElseThrow();
  }

  private static String out(ContainerStatus st) throws Exception {
    var b = new StringBuilder();
    for (var l : Files.readAllLines(st.logPath())) {
      var f = l.split(" ", 4);
      b.append(f.length == 4 ? f[3] : "").append(f[2].equals("F") ? "\n" : "");
    }
    return b.toString();
  }

  private String started(Spec spec) {
    var id = fx.id("r");
    fx.runtime.create(id, spec, CreateOptions.defaults());
    fx.runtime.start(id);
    return id;
  }

  @Test
  void pidsLimitStopsForks() throws Exception {
    // Not lower than 10: runc's own init briefly takes several pids of the container's cgroup
    // while it sets the container up, and a tighter limit can kill it before the start.
    var run = RunConfig.builder().cmd("sh", "-c",
        "for i in $(seq 1 20); do sleep 5 & done; echo all-started")
        .limits(Limits.NONE.withPidsLimit(10)).build();
    var st = run(fx.spec(run));
    // The shell is one of the 10: the tenth sleep cannot fork.
    assertTrue(out(st).contains("can't fork"), out(st) + " " + st);
    assertFalse(out(st).contains("all-started"), out(st));
  }

  @Test
  void userAndGroupsResolveFromTheRootfs() throws Exception {
    var st = run(fx.spec(RunConfig.builder().cmd("id").user("nobody").build()));
    assertEquals("uid=65534(nobody) gid=65534(nobody) groups=50(staff),65534(nobody)\n", out(st));
    st = run(fx.spec(RunConfig.builder().cmd("id").user("1234:staff").build()));
    assertTrue(out(st).startsWith("uid=1234 gid=50(staff)"), out(st));
    var e = assertThrows(InvalidArgumentException.class, () -> fx.spec(RunConfig.builder().cmd("id").user("ghost").build()));
    assertEquals("unable to find user ghost: no matching entries in passwd file", e.getMessage());
  }

  @Test
  void capabilitiesFollowAddAndDrop() throws Exception {
    // CapEff bit 0 is CAP_CHOWN; dropping it makes chown fail even for root.
    var st = run(fx.spec(RunConfig.builder().cmd("sh", "-c", "chown 1 /tmp && echo chowned").capDrop(List.of("chown")).build()));
    assertFalse(out(st).contains("chowned"), out(st));
    st = run(fx.spec(RunConfig.builder().cmd("sh", "-c", "grep CapEff /proc/self/status").build()));
    assertEquals("CapEff:\t00000000a80425fb\n", out(st));
    st = run(fx.spec(RunConfig.builder().cmd("sh", "-c", "grep CapEff /proc/self/status").capAdd(List.of("NET_ADMIN"))
        .capDrop(List.of("ALL")).build()));
    assertEquals("CapEff:\t0000000000001000\n", out(st));
  }

  @Test
  void readOnlyRootfsAndMounts() throws Exception {
    var host = Files.createDirectories(fx.dir.resolve("host-data"));
    Files.writeString(host.resolve("f"), "from host\n");
    var run = RunConfig.builder().cmd("sh", "-c", "touch /x 2>/dev/null || echo ro-root; cat /data/f; "
            + "touch /data/g 2>/dev/null || echo ro-bind; touch /scratch/s && echo tmpfs-ok")
        .readOnlyRootfs(true).mount(MountSpec.parseBind(host + ":/data:ro")).mount(MountSpec.parseTmpfs("/scratch"))
        .build();
    var st = run(fx.spec(run));
    assertEquals("ro-root\nfrom host\nro-bind\ntmpfs-ok\n", out(st));
    var e = assertThrows(InvalidArgumentException.class,
        () -> fx.spec(RunConfig.builder().cmd("true").mount(MountSpec.parseBind("/no/such/dir:/d")).build()));
    assertTrue(e.getMessage().contains("bind source path does not exist: /no/such/dir"), e.getMessage());
  }

  /** Waits until the container has printed "ready", i.e. its shell has set its traps. */
  private void awaitReady(String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!Files.exists(fx.runtime.logPath(id)) || !Files.readString(fx.runtime.logPath(id)).contains(" ready")) {
      assertTrue(System.nanoTime() < deadline, "container " + id + " never printed ready");
      Thread.sleep(20);
    }
  }

  @Test
  void killStopPauseResume() throws Exception {
    var id = started(fx.spec("sh", "-c", "trap 'echo got-term; exit 7' TERM; echo ready; while true; do sleep 0.1; done"));
    awaitReady(id);
    assertEquals(ContainerStatus.Status.RUNNING, fx.runtime.state(id).status());
    fx.runtime.pause(id);
    assertEquals(ContainerStatus.Status.PAUSED, fx.runtime.state(id).status());
    fx.runtime.resume(id);
    assertEquals(ContainerStatus.Status.RUNNING, fx.runtime.state(id).status());
    var st = fx.runtime.stop(id, 15, Duration.ofSeconds(10));
    assertEquals(7, st.exitCode());
    assertTrue(out(st).contains("got-term"));

    var stubborn = started(fx.spec("sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done"));
    awaitReady(stubborn); // a TERM sent before the trap is set would end the shell some other way
    st = fx.runtime.stop(stubborn, 15, Duration.ofMillis(300));
    assertEquals(137, st.exitCode(), out(st));

    var killed = started(fx.spec("sleep", "100"));
    fx.runtime.kill(killed, 9, false);
    assertEquals(137, fx.runtime.waitExit(killed, Duration.ofSeconds(10)).orElseThrow().exitCode());
  }

  @Test
  void execRunsInTheContainer() throws Exception {
    var id = started(fx.spec(RunConfig.builder().cmd("sleep", "100").env(List.of("A=from-run")).build()));
    try (var s = fx.runtime.exec(id, new ExecOptions(List.of("sh", "-c", "echo $A $B; id -u; pwd; exit 4"),
        List.of("B=from-exec"), "nobody", "/tmp", false, false))) {
      assertEquals(4, s.exitCode().get(20, TimeUnit.SECONDS));
      var log = Files.readString(s.logPath());
      assertTrue(log.contains("stdout F from-run from-exec"), log);
      assertTrue(log.contains("stdout F 65534"), log);
      assertTrue(log.contains("stdout F /tmp"), log);
    }
    try (var s = fx.runtime.exec(id, new ExecOptions(List.of("sh", "-c", "echo attached; echo e >&2"), List.of(),
        null, null, false, true))) {
      var a = s.attachment().orElseThrow();
      assertEquals("attached\n", new String(a.stdout().readAllBytes(), StandardCharsets.UTF_8));
      assertEquals(0, s.exitCode().get(20, TimeUnit.SECONDS));
    }
    var e = assertThrows(InvalidArgumentException.class, () -> fx.runtime.exec(id, ExecOptions.of("nope")));
    assertTrue(e.getMessage().contains("executable file not found"), e.getMessage());
    fx.runtime.delete(id, true);
  }

  @Test
  void attachReadsOutputAndWritesStdin() throws Exception {
    var id = fx.id("att");
    fx.runtime.create(id, fx.spec("sh", "-c", "read line; echo got $line"), CreateOptions.defaults().withStdin(true));
    try (var a = fx.runtime.attach(id)) {
      fx.runtime.start(id);
      a.stdin().write("ping\n".getBytes(StandardCharsets.UTF_8));
      var buf = new byte[64];
      int n = a.stdout().read(buf);
      assertEquals("got ping\n", new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    assertEquals(0, fx.runtime.waitExit(id, Duration.ofSeconds(10)).orElseThrow().exitCode());
  }

  @Test
  void containersOutliveTheDaemonsHandles() throws Exception {
    var id = fx.id("survivor");
    fx.runtime.create(id, fx.spec("sh", "-c", "echo before; sleep 1; echo after; exit 5"), CreateOptions.defaults());
    fx.runtime.start(id);
    // The daemon "dies": forget every in-memory handle and open a new instance over the same root.
    fx.runtime = null;
    System.gc();
    var reborn = fx.open();
    fx.runtime = reborn;
    var st = reborn.list().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    assertTrue(st.status() == ContainerStatus.Status.RUNNING || st.status() == ContainerStatus.Status.STOPPED);
    var done = reborn.waitExit(id, Duration.ofSeconds(20)).orElseThrow();
    assertEquals(5, done.exitCode());
    assertEquals("before\nafter\n", out(done));
    assertNull(reborn.state(id).exitCode() == 5 ? null : "wrong");
  }

  @Test
  void infoNamesTheDefaultAndWhy() {
    var info = ContainerRuntime.open(new ContainerRuntime.Config(fx.dir.resolve("info-state"), fx.cgroupParent, null)).info();
    System.out.println("runtime info: " + info.reason());
    assertEquals("runc", info.defaultRuntime(), info.reason());
    var crun = info.runtimes().stream().filter(o -> o.name().equals("crun")).findFirst().orElseThrow();
    if (!crun.works()) {
      assertTrue(info.reason().contains("crun"), info.reason());
    }
  }
}

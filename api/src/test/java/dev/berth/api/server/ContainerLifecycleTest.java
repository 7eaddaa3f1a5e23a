package dev.berth.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.container.ContainerStatus;
import dev.berth.testing.tools.ProcessResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lifecycle against real runc and conmon: restart policies, a daemon that goes away and comes back
 * (containers run on under conmon; exits meanwhile are read from conmon's exit files), isolation
 * options, events, and images in use.
 */
class ContainerLifecycleTest {
  private ContainerApiFixture api;

  @BeforeEach
  void start() throws Exception {
    api = new ContainerApiFixture();
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  private String ok(String... args) {
    ProcessResult r = api.docker(args);
    assertEquals(0, r.exitCode(), () -> "docker " + String.join(" ", args) + ": " + r.err() + r.out());
    return r.out();
  }

  @Test
  void onFailureRestartsUpToItsLimit() throws Exception {
    ok("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 1");
    // Each run ends; the third exit is final.
    awaitState("flaky", c -> c.state().status() == ContainerStatus.EXITED && c.state().restartCount() == 2);
    assertEquals("exited 1 2", ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", "flaky").strip());
  }

  @Test
  void aRestartedDaemonFindsContainersAndExitsThatHappenedMeanwhile() throws Exception {
    ok("run", "-d", "--name", "survivor", "busybox", "sleep", "1000");
    ok("run", "-d", "--name", "leaver", "busybox", "sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.05; done");
    ok("run", "-d", "--name", "always", "--restart", "always", "busybox", "sleep", "1000");
    int survivorPid = api.containers.get("survivor").state().pid();
    Container leaver = api.containers.get("leaver");

    api.containers.shutdown(); // the daemon goes away; conmon keeps the containers
    // While no daemon watches, leaver's process ends.
    assertTrue(leaver.state().pid() > 1, () -> "leaver runs: " + leaver.state());
    ProcessHandle.of(leaver.state().pid()).orElseThrow().destroy();
    ContainerService again = ContainerService.open(api.root, api.images, api.cgroupParent);
    again.recover();
    Container survivor = again.get("survivor");
    assertEquals(ContainerStatus.RUNNING, survivor.state().status());
    assertEquals(survivorPid, survivor.state().pid());
    awaitState(again, "leaver", c -> c.state().status() == ContainerStatus.EXITED);
    assertEquals(3, again.get("leaver").state().exitCode());
    assertEquals(ContainerStatus.RUNNING, again.get("always").state().status());

    // A running container whose daemon went away can still be stopped and removed by the new one.
    again.kill("survivor", "KILL");
    assertEquals(137, again.await("survivor", ContainerService.WaitCondition.NOT_RUNNING).get().state().exitCode());
    for (Container c : again.list()) {
      again.remove(c.id(), true, false);
    }
    again.shutdown();
    assertTrue(api.mounts().isEmpty(), () -> "mounts left: " + api.mounts());
    assertTrue(api.cgroups().isEmpty(), () -> "cgroups left: " + api.cgroups());
  }

  @Test
  void isolationOptions() {
    ProcessResult ro = api.docker("run", "--rm", "--read-only", "busybox", "touch", "/x");
    assertEquals(1, ro.exitCode());
    assertTrue(ro.err().contains("Read-only file system"), ro.err());
    assertEquals("tmpfs\n", ok("run", "--rm", "--read-only", "--tmpfs", "/scratch", "busybox", "sh", "-c",
        "touch /scratch/x && grep ' /scratch ' /proc/mounts | cut -d' ' -f3"));
    assertEquals("lo\n", ok("run", "--rm", "--network", "none", "busybox", "ls", "/sys/class/net"));
    String hostIfaces = ok("run", "--rm", "--network", "host", "busybox", "ls", "/sys/class/net");
    assertTrue(hostIfaces.lines().count() > 1, hostIfaces);
    assertEquals("1000:1000\n", ok("run", "--rm", "-u", "1000:1000", "busybox", "sh", "-c", "echo $(id -u):$(id -g)"));
    assertEquals("67108864\n", ok("run", "--rm", "--memory", "64m", "busybox", "sh", "-c",
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max"));
  }

  @Test
  void eventsAndImagesInUse() {
    String since = Long.toString(System.currentTimeMillis() / 1000 - 1);
    ok("run", "--name", "evented", "busybox", "true");
    ProcessResult rmi = api.docker("rmi", "busybox");
    assertFalse(rmi.ok());
    String shortId = api.containers.get("evented").id().substring(0, 12);
    assertTrue(rmi.err().contains("conflict: unable to remove repository reference \"busybox\" (must force) - container "
        + shortId + " is using its referenced image"), rmi.err());
    ok("rm", "evented");
    String until = Long.toString(System.currentTimeMillis() / 1000 + 1);
    List<String> actions = ok("events", "--since", since, "--until", until, "--filter", "type=container",
        "--format", "{{.Action}} {{.Actor.Attributes.name}}").lines().toList();
    assertEquals(List.of("create evented", "attach evented", "start evented", "die evented", "destroy evented"), actions);
  }

  @Test
  void aCreateInterruptedByADaemonCrashIsCleanedAtTheNextStart() {
    // What a daemon killed during a create leaves: the rootfs snapshot prepared and mounted, no metadata yet.
    String id = "f".repeat(64);
    var image = api.images.inspect("busybox");
    api.containers.rootfs().prepare("ctr-" + id, image, api.containers.rootfsPath(id));
    assertEquals(1, api.mounts().size(), api.mounts()::toString);
    api.containers.shutdown();

    ContainerService again = ContainerService.open(api.root, api.images, api.cgroupParent);
    again.recover();
    assertTrue(api.mounts().isEmpty(), () -> "mounts left: " + api.mounts());
    assertFalse(java.nio.file.Files.exists(again.stateDir(id)));
    assertTrue(again.list().isEmpty());
    again.shutdown();
  }

  private void awaitState(String name, java.util.function.Predicate<Container> done) throws InterruptedException {
    awaitState(api.containers, name, done);
  }

  private static void awaitState(ContainerService svc, String name, java.util.function.Predicate<Container> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!done.test(svc.get(name))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " never reached the expected state: " + svc.get(name).state());
      }
      Thread.sleep(50);
    }
  }
}

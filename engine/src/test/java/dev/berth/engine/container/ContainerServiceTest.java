package dev.berth.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.engine.ImageService;
import dev.berth.errors.AlreadyExistsException;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.errors.UnavailableException;
import dev.berth.image.Image;
import dev.berth.image.RootfsImporter;
import dev.berth.oci.Reference;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.TempDirs;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The container service without a runtime: create, names, metadata, rename, remove, prune, volumes,
 * recovery of interrupted creates, image in-use checks. A plain-copy rootfs keeps it mount-free.
 */
class ContainerServiceTest {
  private Path dir;
  private Path root;
  private ImageService images;
  private ContainerService svc;
  private Image busybox;

  @BeforeEach
  void setUp() throws Exception {
    dir = TempDirs.create("berth-ctr-");
    root = dir.resolve("root");
    images = ImageService.open(root);
    Path tar = dir.resolve("busybox.tar");
    BusyboxRootfs.create(dir.resolve("rootfs")).writeTar(tar);
    try (InputStream in = Files.newInputStream(tar)) {
      busybox = images.importRootfs(in, new RootfsImporter.Request("-", Reference.parse("busybox:latest"),
          List.of("CMD [\"sh\"]", "ENV PATH=" + BusyboxRootfs.PATH, "STOPSIGNAL SIGQUIT"), null, null));
    }
    svc = open();
  }

  private ContainerService open() {
    var events = new Events();
    return new ContainerService(root, images, new ExtractedRootfs(images.store().content()),
        new UnavailableRuntime("none in this test"), events, new VolumeService(root.resolve("volumes"), events));
  }

  @AfterEach
  void tearDown() {
    TempDirs.delete(dir);
  }

  @Test
  void createMergesTheImageConfigAndWritesMetadata() throws Exception {
    var spec = new ContainerSpec("busybox", null, List.of("echo", "hi"), List.of("A=1"), "/tmp", null,
        Map.of("l", "v"), null, null, false, false, false, false, true, true, null, null, null);
    Container c = svc.create("hello", spec);
    assertEquals(64, c.id().length());
    assertEquals("hello", c.name());
    assertEquals(busybox.id(), c.imageId());
    assertEquals(ContainerStatus.CREATED, c.state().status());
    assertEquals(List.of("echo", "hi"), c.spec().argv());
    assertEquals(List.of("PATH=" + BusyboxRootfs.PATH, "A=1"), c.spec().env());
    assertEquals("SIGQUIT", c.spec().stopSignal());
    assertEquals("/tmp", c.spec().workingDir());
    assertTrue(Files.isRegularFile(root.resolve("containers").resolve(c.id()).resolve("container.json")));
    assertTrue(Files.isRegularFile(svc.rootfsPath(c.id()).resolve("bin/busybox")), "rootfs unpacked");

    assertEquals(c.id(), svc.get("hello").id());
    assertEquals(c.id(), svc.get("/hello").id());
    assertEquals(c.id(), svc.get(c.id().substring(0, 5)).id());

    // The image's cmd when none is given; an entrypoint drops it.
    assertEquals(List.of("sh"), svc.create(null, ContainerSpec.of("busybox", null)).spec().argv());
    var withEntrypoint = new ContainerSpec("busybox", List.of("/bin/echo"), null, null, null, null, null, null, null,
        false, false, false, false, true, true, null, null, null);
    assertEquals(List.of("/bin/echo"), svc.create(null, withEntrypoint).spec().argv());

    // A second service over the same root sees the same containers.
    ContainerService again = open();
    again.recover();
    assertEquals(svc.list().stream().map(Container::id).sorted().toList(),
        again.list().stream().map(Container::id).sorted().toList());
    assertEquals(c, again.get("hello"));
  }

  @Test
  void randomNamesAndNameConflicts() {
    Container a = svc.create(null, ContainerSpec.of("busybox", List.of("true")));
    assertTrue(a.name().matches("[a-z]+_[a-z]+\\d?"), a.name());
    svc.create("taken", ContainerSpec.of("busybox", List.of("true")));
    var e = assertThrows(AlreadyExistsException.class, () -> svc.create("taken", ContainerSpec.of("busybox", List.of("true"))));
    assertTrue(e.getMessage().startsWith("Conflict. The container name \"/taken\" is already in use by container \""), e.getMessage());
    assertEquals(409, e.httpStatus());
    var bad = assertThrows(InvalidArgumentException.class, () -> svc.create("no way!", ContainerSpec.of("busybox", List.of("true"))));
    assertEquals("Invalid container name (no way!), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", bad.getMessage());
    assertEquals(2, svc.list().size(), "failed creates leave nothing");
  }

  @Test
  void badInputLeavesNothingBehind() throws Exception {
    var missing = assertThrows(NotFoundException.class, () -> svc.create("xx", ContainerSpec.of("nope", List.of("true"))));
    assertTrue(missing.getMessage().contains("No such image: nope"), missing.getMessage());

    var bind = ContainerSpec.of("busybox", List.of("true")).withHost(host(List.of("/no/such/dir:/data"), 0));
    var e = assertThrows(InvalidArgumentException.class, () -> svc.create("xx", bind));
    assertEquals("invalid mount config for type \"bind\": bind source path does not exist: /no/such/dir", e.getMessage());

    var tiny = ContainerSpec.of("busybox", List.of("true")).withHost(host(List.of(), 1024));
    assertEquals("Minimum memory limit allowed is 6MB",
        assertThrows(InvalidArgumentException.class, () -> svc.create("xx", tiny)).getMessage());

    assertTrue(svc.list().isEmpty());
    assertFalse(Files.exists(root.resolve("containers")) && Files.list(root.resolve("containers")).findAny().isPresent(),
        "no state directories left");
  }

  @Test
  void startWithoutARuntimeFailsClearlyAndKeepsTheContainer() {
    Container c = svc.create("ctr", ContainerSpec.of("busybox", List.of("true")));
    var e = assertThrows(UnavailableException.class, () -> svc.start("ctr"));
    assertTrue(e.getMessage().contains("none in this test"), e.getMessage());
    assertEquals(ContainerStatus.CREATED, svc.get(c.id()).state().status());
    var pause = assertThrows(FailedPreconditionException.class, () -> svc.pause("ctr"));
    assertEquals("Container " + c.id() + " is not running", pause.getMessage());
    assertThrows(FailedPreconditionException.class, () -> svc.kill("ctr", "KILL"));
    assertFalse(svc.stop("ctr", 1, null), "stopping a container that does not run is a no-op (304)");
    assertTrue(svc.await("ctr", ContainerService.WaitCondition.NOT_RUNNING).isDone());
  }

  @Test
  void renameRemovePruneAndWaitForRemoval() throws Exception {
    Container c = svc.create("one", ContainerSpec.of("busybox", List.of("true")));
    svc.create("two", ContainerSpec.of("busybox", List.of("true")));
    assertThrows(AlreadyExistsException.class, () -> svc.rename("one", "two"));
    svc.rename("one", "uno");
    assertEquals(c.id(), svc.get("uno").id());
    assertThrows(NotFoundException.class, () -> svc.get("one"));

    var removed = svc.await("uno", ContainerService.WaitCondition.REMOVED);
    assertFalse(removed.isDone());
    svc.remove("uno", false, false);
    assertTrue(removed.isDone());
    assertFalse(Files.exists(svc.stateDir(c.id())));
    assertEquals("No such container: uno", assertThrows(NotFoundException.class, () -> svc.remove("uno", false, false)).getMessage());

    var report = svc.prune(x -> false);
    assertEquals(1, report.deleted().size());
    assertTrue(svc.list().isEmpty());
  }

  @Test
  void imagesUsedByContainersAreNotRemoved() {
    Container c = svc.create("ctr", ContainerSpec.of("busybox", List.of("true")));
    var e = assertThrows(FailedPreconditionException.class, () -> images.remove("busybox", false));
    assertEquals("conflict: unable to remove repository reference \"busybox\" (must force) - container "
        + c.id().substring(0, 12) + " is using its referenced image " + busybox.id().shortHex(), e.getMessage());
    assertTrue(images.prune(true).deletedImages().isEmpty());
    svc.remove("ctr", false, false);
    images.remove("busybox", false);
  }

  @Test
  void interruptedCreateIsCleanedAtRecovery() throws Exception {
    // What a daemon killed between mkdir and the metadata write leaves.
    Path half = root.resolve("containers").resolve("a".repeat(64));
    Files.createDirectories(half.resolve("rootfs/bin"));
    Files.writeString(half.resolve("rootfs/bin/x"), "x");
    ContainerService again = open();
    again.recover();
    assertFalse(Files.exists(half));
    assertTrue(again.list().isEmpty());
  }

  @Test
  void namedVolumesAreCreatedByMountsAndKeptWhileUsed() {
    var spec = ContainerSpec.of("busybox", List.of("true")).withHost(host(List.of("data:/data:ro"), 0));
    Container c = svc.create("vol", spec);
    var m = c.spec().host().mounts().getFirst();
    assertEquals(new ContainerSpec.MountSpec("volume", "data", "/data", true, List.of()), m);
    assertTrue(Files.isDirectory(root.resolve("volumes/data/_data")));
    var e = assertThrows(FailedPreconditionException.class, () -> svc.volumes().remove("data", false));
    assertEquals("remove data: volume is in use - [" + c.id() + "]", e.getMessage());
    svc.remove("vol", false, false);
    svc.volumes().remove("data", false);
    assertThrows(NotFoundException.class, () -> svc.volumes().inspect("data"));
  }

  @Test
  void stateMachineGuards() {
    assertTrue(ContainerStatus.CREATED.canBecome(ContainerStatus.RUNNING));
    assertTrue(ContainerStatus.RUNNING.canBecome(ContainerStatus.PAUSED));
    assertTrue(ContainerStatus.PAUSED.canBecome(ContainerStatus.RUNNING));
    assertFalse(ContainerStatus.CREATED.canBecome(ContainerStatus.PAUSED));
    assertFalse(ContainerStatus.EXITED.canBecome(ContainerStatus.PAUSED));
    assertFalse(ContainerStatus.DEAD.canBecome(ContainerStatus.RUNNING));
    assertEquals("exited", ContainerStatus.EXITED.wire());
    assertEquals(ContainerStatus.PAUSED, ContainerStatus.parse("paused"));
  }

  @Test
  void restartPolicies() {
    assertEquals(new RestartPolicy("on-failure", 3), RestartPolicy.parse("on-failure:3"));
    assertEquals("on-failure:3", RestartPolicy.parse("on-failure:3").toString());
    assertThrows(InvalidArgumentException.class, () -> RestartPolicy.parse("sometimes"));
    assertThrows(InvalidArgumentException.class, () -> RestartPolicy.parse("always:2"));
    assertTrue(RestartPolicy.parse("on-failure:2").restartsAfter(1, false, 1));
    assertFalse(RestartPolicy.parse("on-failure:2").restartsAfter(1, false, 2));
    assertFalse(RestartPolicy.parse("on-failure").restartsAfter(0, false, 0));
    assertFalse(RestartPolicy.parse("always").restartsAfter(0, true, 0));
    assertTrue(RestartPolicy.parse("unless-stopped").restartsWithDaemon(false));
    assertFalse(RestartPolicy.parse("unless-stopped").restartsWithDaemon(true));
    assertEquals(9, Signals.parse("SIGKILL"));
    assertEquals(3, Signals.parse("quit"));
    assertThrows(InvalidArgumentException.class, () -> Signals.parse("SIGNOPE"));
  }

  private static ContainerSpec.Host host(List<String> binds, long memory) {
    return new ContainerSpec.Host(binds, null, null, false, null, memory, 0, 0, 0, null, null, null, false, null, null,
        false, null, null, null);
  }

  @SuppressWarnings("unused")
  private static void unused() {
    assertNotEquals(1, 2);
  }
}

package dev.berth.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.archive.TarEntry;
import dev.berth.content.LocalContentStore;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.image.ArchiveWriter;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.image.RootfsImporter;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Reference;
import dev.berth.runtime.Cgroups;
import dev.berth.runtime.ContainerRuntime;
import dev.berth.snapshot.CopySnapshotter;
import dev.berth.snapshot.OverlaySnapshotter;
import dev.berth.snapshot.SnapshotInfo;
import dev.berth.snapshot.Snapshotter;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.Podman;
import dev.berth.testing.tools.TempDirs;
import dev.berth.testing.tools.Tools;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real builds with RUN: runc under conmon on overlay snapshots, in a private state root with its
 * own cgroup parent; every test checks that no container, snapshot or mount of a step is left.
 */
class RunStepsTest {
  private static final AtomicInteger SEQ = new AtomicInteger();
  Path dir;
  Path root;
  Path ctx;
  ImageStore store;
  Snapshotter snapshotter;
  ContainerRuntime runtime;
  String cgroupParent;
  Builder builder;
  final List<String> output = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    Tools.requireRoot("running RUN steps");
    Tools.requireTool("runc");
    Tools.requireTool("conmon");
    // Short: conmon's attach socket path must fit a unix socket address.
    dir = TempDirs.create("brs-");
    root = dir.resolve("r");
    store = ImageStore.open(root, LocalContentStore.at(root.resolve("content")));
    Path tar = dir.resolve("busybox.tar");
    BusyboxRootfs.create(dir.resolve("rootfs")).writeTar(tar);
    try (InputStream in = Files.newInputStream(tar)) {
      new RootfsImporter(store).importRootfs(in, new RootfsImporter.Request("busybox.tar",
          Reference.parse("busybox:latest"), List.of("ENV PATH=" + BusyboxRootfs.PATH, "CMD [\"sh\"]"), null, null));
    }
    Path snapshots = root.resolve("snapshots");
    snapshotter = OverlaySnapshotter.supported(snapshots) ? OverlaySnapshotter.open(snapshots) : new CopySnapshotter(snapshots);
    cgroupParent = "berth-test-build-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    runtime = ContainerRuntime.open(new ContainerRuntime.Config(root.resolve("runtime"), cgroupParent, "runc"));
    var runs = new ContainerRunSteps(runtime, snapshotter, store.content(), root.resolve("build-mounts"));
    builder = new Builder(store, BuildCache.at(root.resolve("build-cache")), root.resolve("tmp"), runs);
    ctx = Files.createDirectories(dir.resolve("ctx"));
  }

  @AfterEach
  void tearDown() {
    if (dir == null) {
      return;
    }
    try {
      for (var c : runtime.list()) {
        runtime.delete(c.id(), true);
      }
      TempDirs.unmountAll(dir);
    } finally {
      Cgroups.removeTree("/" + cgroupParent);
      TempDirs.delete(dir);
    }
  }

  BuildResult build(String dockerfile, String... tags) throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return builder.build(BuildRequest.of(BuildContext.fromDirectory(ctx),
        java.util.Arrays.stream(tags).map(Reference::parse).toArray(Reference[]::new)), e -> {
          if (e instanceof BuildEvent.Output o) {
            output.add(o.line());
          }
        });
  }

  /** Nothing of any step stays: no container, no build snapshot, no mount. */
  void assertStepsCleanedUp() {
    assertEquals(List.of(), runtime.list().stream().map(c -> c.id()).toList());
    assertEquals(List.of(), snapshotter.list().stream().filter(s -> s.kind() != SnapshotInfo.Kind.COMMITTED)
        .map(SnapshotInfo::name).toList());
    assertEquals(List.of(), TempDirs.mountsUnder(root));
  }

  @Test
  void runLayerHoldsExactlyTheChangeAndAnEmptyChangeIsAnEmptyLayer() throws Exception {
    BuildResult r = build("""
        FROM busybox
        RUN echo "myfile" > /tmp/myfile.txt
        RUN true
        RUN rm /etc/group && echo out && echo err >&2
        """, "berth-test/run:1");
    Image image = r.image();
    assertEquals(3, image.manifest().layers().size(), "busybox + 2 RUN layers; RUN true changed nothing");
    var myfile = BuilderTest.layerEntries(store, image.manifest().layers().get(1));
    assertEquals(List.of("tmp/", "tmp/myfile.txt"), myfile.keySet().stream()
        .map(n -> n + (myfile.get(n) instanceof TarEntry.Directory && !n.endsWith("/") ? "/" : "")).toList());
    var rm = BuilderTest.layerEntries(store, image.manifest().layers().get(2));
    assertEquals(List.of("etc", "etc/.wh.group"), List.copyOf(rm.keySet()));
    assertTrue(output.containsAll(List.of("out", "err")), output.toString());

    List<ImageConfig.History> h = image.config().history();
    List<String> ours = h.subList(h.size() - 3, h.size()).stream()
        .map(e -> e.createdBy() + (e.emptyLayer() ? " [empty]" : "")).toList();
    assertEquals(List.of("RUN /bin/sh -c echo \"myfile\" > /tmp/myfile.txt # buildkit",
        "RUN /bin/sh -c true # buildkit [empty]",
        "RUN /bin/sh -c rm /etc/group && echo out && echo err >&2 # buildkit"), ours);
    assertStepsCleanedUp();
  }

  @Test
  void failingRunShowsCommandExitCodeAndOutputAndLeavesNoImage() throws Exception {
    int before = store.list().size();
    var e = assertThrows(FailedPreconditionException.class, () -> build("""
        FROM busybox
        RUN echo first
        RUN echo "about to fail" && exit 3
        """, "berth-test/fails:1"));
    assertTrue(e.getMessage().contains("Dockerfile:3"), e.getMessage());
    assertTrue(e.getMessage().contains("The command '/bin/sh -c echo \"about to fail\" && exit 3' returned a non-zero code: 3"),
        e.getMessage());
    assertTrue(e.getMessage().contains("about to fail"), e.getMessage());
    assertTrue(output.contains("about to fail"), output.toString());
    assertEquals(before, store.list().size(), "no image stored");
    assertTrue(store.find("berth-test/fails:1").isEmpty());

    var missing = assertThrows(FailedPreconditionException.class, () -> build("""
        FROM busybox
        RUN ["/no/such/program"]
        """, "berth-test/fails:1"));
    assertTrue(missing.getMessage().contains("returned a non-zero code: 127"), missing.getMessage());
    assertStepsCleanedUp();
  }

  @Test
  void heredocsRunInTheShellOrAsScripts() throws Exception {
    BuildResult r = build("""
        FROM busybox
        ENV WHO=world
        RUN <<EOF
        echo "hello $WHO" > /greeting
        echo second line >> /greeting
        EOF
        RUN <<EOT
        #!/bin/sh -e
        echo "script run by $(readlink /proc/$$/exe)" > /script-out
        EOT
        RUN cat <<A > /a.txt && cat <<B > /b.txt
        from a
        A
        from b
        B
        """, "berth-test/heredoc:1");
    Image image = r.image();
    var l1 = BuilderTest.layerEntries(store, image.manifest().layers().get(1));
    assertEquals(List.of("greeting"), List.copyOf(l1.keySet()));
    var l2 = BuilderTest.layerEntries(store, image.manifest().layers().get(2));
    assertEquals(List.of("script-out"), List.copyOf(l2.keySet()), "the script file itself is not in the layer");
    var l3 = BuilderTest.layerEntries(store, image.manifest().layers().get(3));
    assertEquals(List.of("a.txt", "b.txt"), List.copyOf(l3.keySet()));
    String text = run(image, "cat /greeting /script-out /a.txt /b.txt");
    assertEquals("hello world\nsecond line\nscript run by /bin/busybox\nfrom a\nfrom b\n", text);
    assertStepsCleanedUp();
  }

  @Test
  void cachedRunIsNotRunAgainAndAChangedFileInvalidatesFromItsCopy() throws Exception {
    Files.writeString(ctx.resolve("a.txt"), "a1\n");
    Files.writeString(ctx.resolve("b.txt"), "b1\n");
    String df = """
        FROM busybox
        RUN echo ran-1 && date +%s%N > /stamp1
        COPY a.txt /a.txt
        RUN echo ran-2 && cat /a.txt > /copy-of-a
        COPY b.txt /b.txt
        RUN echo ran-3
        """;
    BuildResult first = build(df, "berth-test/cache:1");
    assertEquals(0, first.cachedSteps());
    assertEquals(List.of("ran-1", "ran-2", "ran-3"), output);

    output.clear();
    BuildResult second = build(df, "berth-test/cache:1");
    assertEquals(first.image().id(), second.image().id());
    assertEquals(List.of(), output, "no RUN ran");
    assertEquals(5, second.cachedSteps());

    output.clear();
    Files.writeString(ctx.resolve("a.txt"), "a2\n");
    BuildResult third = build(df, "berth-test/cache:1");
    assertEquals(List.of("ran-2", "ran-3"), output, "steps before COPY a.txt come from the cache");
    assertEquals(first.image().manifest().layers().subList(0, 2), third.image().manifest().layers().subList(0, 2));
    assertNotEquals(first.image().id(), third.image().id());
    assertEquals("a2", run(third.image(), "cat /copy-of-a").strip());

    output.clear();
    Files.writeString(ctx.resolve("Dockerfile"), df);
    builder.build(BuildRequest.of(BuildContext.fromDirectory(ctx)).withNoCache(true), e -> {
      if (e instanceof BuildEvent.Output o) {
        output.add(o.line());
      }
    });
    assertEquals(List.of("ran-1", "ran-2", "ran-3"), output, "--no-cache runs every step");
    assertStepsCleanedUp();
  }

  @Test
  void multiStageWithRunCopyFromAndTargetDockerignoreAndPodmanRunsTheImage() throws Exception {
    Files.writeString(ctx.resolve("app.sh"), "#!/bin/sh\necho \"app says $(cat /opt/built.txt)\"\n");
    Files.writeString(ctx.resolve("secret.key"), "secret\n");
    Files.createDirectories(ctx.resolve("logs"));
    Files.writeString(ctx.resolve("logs/x.log"), "log\n");
    Files.writeString(ctx.resolve(".dockerignore"), "secret.key\n**/*.log\n");
    String df = """
        FROM busybox AS builder
        WORKDIR /src
        COPY . .
        RUN ls -a /src | sort > /listing && echo built-in-stage > /built.txt
        FROM busybox AS debug
        RUN echo debug > /debug.txt
        FROM busybox
        COPY --from=builder /built.txt /opt/built.txt
        COPY --from=builder /listing /opt/listing
        COPY --chmod=755 app.sh /usr/local/bin/app.sh
        RUN chmod 644 /opt/listing
        CMD ["/usr/local/bin/app.sh"]
        """;
    BuildResult r = build(df, "berth-test/multi:1");
    Image image = r.image();
    assertEquals(".\n..\n.dockerignore\nDockerfile\napp.sh\nlogs\n", run(image, "cat /opt/listing"),
        ".dockerignore kept secret.key and *.log out of the context");
    assertFalse(run(image, "ls /").contains("debug.txt"));

    BuildResult debug = builder.build(BuildRequest.of(BuildContext.fromDirectory(ctx), Reference.parse("berth-test/multi:debug"))
        .withTarget("debug"), e -> {});
    assertEquals("debug\n", run(debug.image(), "cat /debug.txt"));

    try (Podman podman = Podman.start()) {
      Path saved = dir.resolve("saved.tar");
      try (OutputStream out = Files.newOutputStream(saved)) {
        new ArchiveWriter(store).save(List.of("berth-test/multi:1"), out);
      }
      podman.load(saved);
      assertEquals("app says built-in-stage", podman.run("run", "--rm", "--network", "none", "berth-test/multi:1")
          .checked().out().strip());
    }
    assertStepsCleanedUp();
  }

  @Test
  void sourceDateEpochMakesRunLayersReproducibleAndWithoutItBuildsDiffer() throws Exception {
    long epoch = 1_700_000_000L;
    Files.writeString(ctx.resolve("data.txt"), "data\n");
    Files.writeString(ctx.resolve("Dockerfile"), """
        FROM busybox
        RUN mkdir -p /app/sub && echo one > /app/one && echo two > /app/sub/two && touch -d @1000000000 /app/old
        COPY data.txt /app/
        RUN echo changed >> /app/one && rm /app/sub/two && rm /etc/group && echo three > /app/three
        """);
    // The epoch once as a request field, once as the build arg the API and `docker build` pass.
    BuildResult first = reproducible(BuildRequest.of(BuildContext.fromDirectory(ctx)).withSourceDateEpoch(epoch));
    Thread.sleep(1100); // real mtimes and "now" differ between the builds
    BuildResult second = reproducible(BuildRequest.of(BuildContext.fromDirectory(ctx))
        .withBuildArgs(java.util.Map.of("SOURCE_DATE_EPOCH", Long.toString(epoch))));
    assertEquals(first.image().id(), second.image().id(), "same image ID");
    assertEquals(first.image().target().digest(), second.image().target().digest(), "same manifest digest");

    java.time.Instant limit = java.time.Instant.ofEpochSecond(epoch);
    List<ImageConfig.History> history = first.image().config().history();
    assertEquals("2023-11-14T22:13:20Z", first.image().config().created());
    assertEquals("2023-11-14T22:13:20Z", history.getLast().created());
    var layers = first.image().manifest().layers();
    var run1 = BuilderTest.layerEntries(store, layers.get(1));
    assertEquals(java.time.Instant.ofEpochSecond(1_000_000_000L), run1.get("app/old").attributes().mtime(),
        "older times are kept");
    for (var layer : layers.subList(1, layers.size())) {
      for (var e : BuilderTest.layerEntries(store, layer).values()) {
        assertFalse(e.attributes().mtime().isAfter(limit), e.name() + " " + e.attributes().mtime());
      }
    }
    var run2 = BuilderTest.layerEntries(store, layers.get(3)).keySet();
    assertTrue(run2.containsAll(List.of("app/one", "app/three", "app/sub/.wh.two", "etc/.wh.group")), run2.toString());

    // Without the epoch, the same two builds differ: the check above can fail.
    BuildResult plain = reproducible(BuildRequest.of(BuildContext.fromDirectory(ctx)));
    Thread.sleep(1100);
    BuildResult plainAgain = reproducible(BuildRequest.of(BuildContext.fromDirectory(ctx)));
    assertNotEquals(plain.image().id(), plainAgain.image().id());
    assertNotEquals(plain.image().manifest().layers().get(1), plainAgain.image().manifest().layers().get(1),
        "real mtimes in the RUN layer");
    assertNotEquals(first.image().id(), plain.image().id());
    assertStepsCleanedUp();
  }

  private BuildResult reproducible(BuildRequest req) throws Exception {
    try (BuildContext c = req.context()) {
      return builder.build(req.withNoCache(true), e -> {});
    }
  }

  /** Runs {@code script} in a container of {@code image} through a one-step build; returns its output. */
  private String run(Image image, String script) throws Exception {
    Path other = Files.createDirectories(dir.resolve("probe-" + SEQ.incrementAndGet()));
    Files.writeString(other.resolve("Dockerfile"), "FROM " + image.id() + "\nRUN " + script + "\n");
    List<String> lines = new ArrayList<>();
    try (BuildContext c = BuildContext.fromDirectory(other)) {
      builder.build(BuildRequest.of(c).withNoCache(true), e -> {
        if (e instanceof BuildEvent.Output o) {
          lines.add(o.line());
        }
      });
    }
    return lines.stream().map(l -> l + "\n").reduce("", String::concat);
  }
}

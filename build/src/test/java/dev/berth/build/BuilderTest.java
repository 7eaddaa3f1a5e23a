package dev.berth.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.berth.archive.TarEntry;
import dev.berth.archive.TarReader;
import dev.berth.content.LocalContentStore;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.NotFoundException;
import dev.berth.image.ArchiveWriter;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.image.RootfsImporter;
import dev.berth.oci.Descriptor;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Reference;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tar.TarBuilder;
import dev.berth.testing.tools.Podman;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real builds into a real image store, without RUN; the result runs in podman. */
class BuilderTest {
  static final long EPOCH = 1_700_000_000L;
  @TempDir Path tmp;
  ImageStore store;
  Builder builder;
  Path ctx;

  @BeforeEach
  void busyboxInStore() throws Exception {
    store = ImageStore.open(tmp.resolve("root"), LocalContentStore.at(tmp.resolve("root/content")));
    Path tar = tmp.resolve("busybox.tar");
    BusyboxRootfs.create(tmp.resolve("rootfs")).writeTar(tar);
    try (InputStream in = Files.newInputStream(tar)) {
      new RootfsImporter(store).importRootfs(in, new RootfsImporter.Request("busybox.tar", Reference.parse("busybox:latest"),
          List.of("ENV PATH=" + BusyboxRootfs.PATH, "CMD [\"sh\"]"), null, null));
    }
    builder = new Builder(store, BuildCache.at(tmp.resolve("root/build-cache")), tmp.resolve("root/tmp"), null);
    ctx = Files.createDirectories(tmp.resolve("ctx"));
  }

  static final String DOCKERFILE = """
      FROM busybox
      ARG GREETING=hello
      ENV APP_HOME=/app
      WORKDIR $APP_HOME
      COPY --chown=nobody:nobody hello.txt ./
      COPY dir/ /opt/dir/
      COPY <<EOF /etc/motd
      ${GREETING} from a heredoc
      EOF
      LABEL org.example.kind=test
      EXPOSE 8080 53/udp
      CMD ["cat", "/app/hello.txt"]
      """;

  void writeContext() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    Files.createDirectories(ctx.resolve("dir/sub"));
    Files.writeString(ctx.resolve("dir/a.txt"), "a\n");
    Files.writeString(ctx.resolve("dir/sub/b.txt"), "b\n");
    Files.writeString(ctx.resolve("dir/secret.key"), "secret\n");
    Files.writeString(ctx.resolve("dir/junk.tmp"), "junk\n");
    Files.writeString(ctx.resolve(".dockerignore"), "dir/secret*\n**/*.tmp\n");
  }

  BuildResult build(BuildRequest r) {
    return builder.build(r, e -> {});
  }

  BuildRequest request(String... tags) {
    return BuildRequest.of(BuildContext.fromDirectory(ctx), java.util.Arrays.stream(tags).map(Reference::parse)
        .toArray(Reference[]::new)).withSourceDateEpoch(EPOCH);
  }

  static Map<String, TarEntry> layerEntries(ImageStore s, Descriptor layer) throws Exception {
    Map<String, TarEntry> out = new LinkedHashMap<>();
    try (TarReader r = TarReader.of(s.content().open(layer.digest()))) {
      for (TarEntry e; (e = r.next()) != null; ) {
        out.put(e.name(), e);
      }
    }
    return out;
  }

  @Test
  void buildsConfigHistoryAndLayersThenRunsInPodman() throws Exception {
    writeContext();
    BuildResult r = build(request("berth-test/app:1", "berth-test/app:latest"));
    Image image = r.image();
    assertEquals(List.of(Reference.parse("berth-test/app:1"), Reference.parse("berth-test/app:latest")), image.tags());
    var cc = image.config().configOrEmpty();
    assertTrue(cc.env().contains("APP_HOME=/app"), cc.env().toString());
    assertEquals("/app", cc.workingDir());
    assertEquals(List.of("cat", "/app/hello.txt"), cc.cmd());
    assertEquals(Map.of("org.example.kind", "test"), cc.labels());
    assertEquals(List.of("53/udp", "8080/tcp"), List.copyOf(cc.exposedPorts().keySet()));
    assertEquals("2023-11-14T22:13:20Z", image.config().created());

    List<ImageConfig.History> h = image.config().history();
    List<String> ours = h.subList(h.size() - 10, h.size()).stream()
        .map(e -> e.createdBy() + (e.emptyLayer() ? " [empty]" : "")).toList();
    assertEquals(List.of(
        "ARG GREETING=hello [empty]",
        "ENV APP_HOME=/app [empty]",
        "WORKDIR /app",
        "COPY --chown=nobody:nobody hello.txt ./ # buildkit",
        "COPY dir/ /opt/dir/ # buildkit",
        "COPY <<EOF /etc/motd # buildkit",
        "LABEL org.example.kind=test [empty]",
        "EXPOSE [53/udp 8080/tcp] [empty]",
        "CMD [\"cat\" \"/app/hello.txt\"] [empty]"), ours.subList(1, 10));
    assertEquals(Builder.HISTORY_COMMENT, h.getLast().comment());
    assertEquals(image.config().rootfs().diffIds().size(), h.stream().filter(e -> !e.emptyLayer()).count());

    List<Descriptor> layers = image.manifest().layers();
    assertEquals(5, layers.size(), "busybox + WORKDIR + 3 COPY");
    var hello = layerEntries(store, layers.get(2));
    assertEquals(List.of("app", "app/hello.txt"), List.copyOf(hello.keySet()));
    assertEquals(65534, hello.get("app/hello.txt").attributes().uid());
    var dir = layerEntries(store, layers.get(3));
    assertEquals(List.of("opt", "opt/dir", "opt/dir/a.txt", "opt/dir/sub", "opt/dir/sub/b.txt"), List.copyOf(dir.keySet()),
        ".dockerignore excludes secret.key and junk.tmp");
    assertEquals(0, dir.get("opt/dir/a.txt").attributes().uid());

    try (Podman podman = Podman.start()) {
      Path saved = tmp.resolve("saved.tar");
      try (OutputStream out = Files.newOutputStream(saved)) {
        new ArchiveWriter(store).save(List.of("berth-test/app:1"), out);
      }
      podman.load(saved);
      assertEquals("hello", podman.run("run", "--rm", "--network", "none", "berth-test/app:1").checked().out().strip());
      assertEquals("hello from a heredoc", podman.run("run", "--rm", "--network", "none", "berth-test/app:1",
          "cat", "/etc/motd").checked().out().strip());
      assertEquals("65534 /app", podman.run("run", "--rm", "--network", "none", "berth-test/app:1",
          "sh", "-c", "stat -c %u hello.txt; pwd").checked().out().strip().replace("\n", " "));
    }
  }

  @Test
  void cacheReusesStepsNoCacheRerunsAndAChangedFileInvalidatesFromItsCopy() throws Exception {
    writeContext();
    BuildResult first = build(request("app:1"));
    assertEquals(0, first.cachedSteps());
    BuildResult second = build(request("app:1"));
    assertEquals(second.steps() - 1, second.cachedSteps(), "every step but FROM from the cache");
    assertEquals(first.image().id(), second.image().id());

    BuildResult fresh = build(request("app:1").withNoCache(true));
    assertEquals(0, fresh.cachedSteps());
    assertEquals(first.image().id(), fresh.image().id(), "SOURCE_DATE_EPOCH makes a rebuild reproducible");

    Files.writeString(ctx.resolve("dir/a.txt"), "changed\n");
    BuildResult changed = build(request("app:1"));
    assertEquals(4, changed.cachedSteps(), "ARG, ENV, WORKDIR and the first COPY hit; from COPY dir/ on they run");
    assertNotEquals(first.image().id(), changed.image().id());
    assertEquals(first.image().manifest().layers().subList(0, 3), changed.image().manifest().layers().subList(0, 3));

    // A touched file with the same content and an ignored file changing keep the cache.
    Files.writeString(ctx.resolve("dir/junk.tmp"), "other junk\n");
    Files.setLastModifiedTime(ctx.resolve("hello.txt"), java.nio.file.attribute.FileTime.fromMillis(0));
    BuildResult again = build(request("app:1"));
    assertEquals(again.steps() - 1, again.cachedSteps());
  }

  @Test
  void multiStageTargetAndCopyFrom() throws Exception {
    Files.writeString(ctx.resolve("a.txt"), "from stage one\n");
    Files.writeString(ctx.resolve("Dockerfile"), """
        ARG BASE=busybox
        FROM ${BASE} AS one
        COPY a.txt /built/a.txt
        FROM busybox AS unused
        COPY a.txt /never
        FROM $BASE
        COPY --from=one /built/a.txt /b.txt
        COPY --from=busybox /etc/passwd /copied-passwd
        """);
    BuildResult r = build(request("multi:1"));
    assertEquals(1 + 1 + 1 + 2, r.steps(), "stage 'unused' is not built");
    var last = layerEntries(store, r.image().manifest().layers().get(1));
    assertEquals(List.of("b.txt"), List.copyOf(last.keySet()));
    assertEquals(2, r.image().manifest().layers().size() - 1);

    BuildResult one = build(request("multi:one").withTarget("one"));
    assertEquals(List.of("built", "built/a.txt"),
        List.copyOf(layerEntries(store, one.image().manifest().layers().getLast()).keySet()));
    assertThrows(dev.berth.errors.InvalidArgumentException.class, () -> build(request().withTarget("nope")));
  }

  @Test
  void addUnpacksLocalArchivesAndFetchesUrls() throws Exception {
    Files.write(ctx.resolve("files.tar.gz"), new TarBuilder().file("x/inside.txt", "inside\n").buildGzip());
    byte[] remote = "remote body\n".getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/files/remote.txt", ex -> {
      ex.sendResponseHeaders(200, remote.length);
      ex.getResponseBody().write(remote);
      ex.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/remote.txt";
      String sum = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(remote));
      Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nADD files.tar.gz /unpacked/\nADD --checksum=" + sum
          + " " + url + " /dl/\n");
      BuildResult r = build(request("add:1"));
      List<Descriptor> layers = r.image().manifest().layers();
      assertTrue(layerEntries(store, layers.get(1)).containsKey("unpacked/x/inside.txt"));
      var dl = layerEntries(store, layers.get(2));
      assertEquals(0600, dl.get("dl/remote.txt").attributes().mode());

      Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nADD --checksum=sha256:" + "0".repeat(64) + " " + url + " /dl/\n");
      var e = assertThrows(dev.berth.errors.InvalidArgumentException.class, () -> build(request("add:2")));
      assertTrue(e.getMessage().startsWith("Dockerfile:2: ADD: checksum mismatch"), e.getMessage());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void clearErrorsAndNothingTaggedOnFailure() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY missing.txt /x\n");
    var e = assertThrows(NotFoundException.class, () -> build(request("broken:1")));
    assertEquals("Dockerfile:2: COPY: \"missing.txt\" not found in the build context", e.getMessage());
    assertTrue(store.find("broken:1").isEmpty());

    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nENV A=1\nRUN echo hi\n");
    var run = assertThrows(FailedPreconditionException.class, () -> build(request("run:1")));
    assertTrue(run.getMessage().startsWith("Dockerfile:3: RUN needs a container runtime"), run.getMessage());

    Files.writeString(ctx.resolve("Dockerfile"), "FROM nosuchimage\n");
    assertTrue(assertThrows(NotFoundException.class, () -> build(request())).getMessage()
        .startsWith("Dockerfile:1: base image nosuchimage is not in the image store"));

    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nSTOPSIGNAL SIGNOPE\n");
    assertTrue(assertThrows(dev.berth.errors.InvalidArgumentException.class, () -> build(request())).getMessage()
        .startsWith("Dockerfile:2: STOPSIGNAL: Invalid signal: SIGNOPE"));
  }

  @Test
  void metadataInstructionsAsBuildKitWritesThem() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), """
        FROM busybox
        ARG V=1
        ENV A=$V B=${V:+set} C=${UNSET:-dflt}
        ENV A=override
        SHELL ["/bin/sh", "-ec"]
        ENTRYPOINT echo entry
        USER nobody
        VOLUME /data
        STOPSIGNAL SIGTERM
        HEALTHCHECK --interval=30s --retries=3 CMD true
        ONBUILD COPY . /src
        MAINTAINER someone
        """);
    BuildResult r = build(request("meta:1").withBuildArgs(Map.of("V", "2", "UNUSED", "x")));
    var cc = r.image().config().configOrEmpty();
    assertTrue(cc.env().containsAll(List.of("A=override", "B=set", "C=dflt")), cc.env().toString());
    assertEquals(List.of("/bin/sh", "-ec", "echo entry"), cc.entrypoint());
    assertEquals(null, cc.cmd(), "ENTRYPOINT resets the base image's CMD");
    assertEquals("nobody", cc.user());
    assertEquals("SIGTERM", cc.stopSignal());
    assertEquals(30_000_000_000L, cc.healthcheck().get("Interval").asLong());
    assertEquals(List.of("COPY . /src"), cc.onBuild());
    assertEquals("someone", r.image().config().author());
    assertTrue(r.warnings().contains("One or more build-args [UNUSED] were not consumed"), r.warnings().toString());
    List<String> h = r.image().config().history().stream().map(ImageConfig.History::createdBy).toList();
    assertTrue(h.contains("ENV A=2 B=set C=dflt"), h.toString());
    assertTrue(h.contains("ENTRYPOINT [\"/bin/sh\" \"-ec\" \"echo entry\"]"), h.toString());
    assertTrue(h.contains("SHELL [/bin/sh -ec]"), h.toString());
    assertTrue(h.contains("VOLUME [/data]"), h.toString());
    assertTrue(h.contains("HEALTHCHECK {Test:[CMD-SHELL true] Interval:30s Timeout:0s StartPeriod:0s StartInterval:0s Retries:3}"),
        h.toString());
    assertFalse(h.stream().anyMatch(s -> s != null && s.startsWith("ONBUILD")));
  }
}

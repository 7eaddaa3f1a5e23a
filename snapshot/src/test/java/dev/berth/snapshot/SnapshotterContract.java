package dev.berth.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.archive.Compression;
import dev.berth.archive.SafeExtractor;
import dev.berth.archive.TarEntry;
import dev.berth.archive.TarReader;
import dev.berth.content.LocalContentStore;
import dev.berth.errors.AlreadyExistsException;
import dev.berth.errors.BerthException;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.image.RootfsImporter;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tar.HostileTars;
import dev.berth.testing.tar.TarBuilder;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.TempDirs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Snapshotter contract, with the unpacker and differ on top, run against every snapshotter.
 * Everything is mounted under the test's temp dir and unmounted after each test, even on failure.
 */
abstract class SnapshotterContract {
  @TempDir Path tmp;
  Path root;
  Snapshotter snapshotter;
  ImageStore store;

  abstract Snapshotter open(Path root);

  @BeforeEach
  void setUp() {
    root = tmp.resolve("snapshots");
    snapshotter = open(root);
    store = ImageStore.open(tmp.resolve("images"), LocalContentStore.at(tmp.resolve("content")));
  }

  @AfterEach
  void unmountEverything() {
    TempDirs.unmountAll(tmp);
    assertEquals(List.of(), TempDirs.mountsUnder(tmp), "mounts left behind");
  }

  // ---- helpers ----

  Path mount(String key) throws IOException {
    Path mp = Files.createTempDirectory(tmp, "mp-");
    Mount.mountAll(snapshotter.mounts(key), mp);
    return mp;
  }

  static void write(Path p, String text) throws IOException {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  static List<String> entryNames(byte[] tar) throws IOException {
    List<String> names = new ArrayList<>();
    try (TarReader r = TarReader.of(new ByteArrayInputStream(tar))) {
      for (TarEntry e; (e = r.next()) != null; ) {
        names.add(e.name() + (e instanceof TarEntry.Directory ? "/" : ""));
      }
    }
    return names;
  }

  byte[] diff(String key) {
    var out = new ByteArrayOutputStream();
    Differ.of(snapshotter).writeDiff(key, out);
    return out.toByteArray();
  }

  /** A committed snapshot holding {@code files}, on top of {@code parent}. */
  String layer(String name, String parent, Map<String, String> files) throws IOException {
    snapshotter.prepare("tmp-" + name, parent);
    Path mp = mount("tmp-" + name);
    try {
      for (var f : files.entrySet()) {
        write(mp.resolve(f.getKey()), f.getValue());
      }
    } finally {
      Mount.unmount(mp);
    }
    snapshotter.commit(name, "tmp-" + name);
    return name;
  }

  Image busybox() throws IOException {
    var rootfs = BusyboxRootfs.create(tmp.resolve("busybox-rootfs"));
    Path tar = tmp.resolve("busybox.tar");
    rootfs.writeTar(tar);
    try (InputStream in = Files.newInputStream(tar)) {
      return new RootfsImporter(store).importRootfs(in,
          new RootfsImporter.Request("busybox.tar", Reference.parse("busybox:latest"), List.of("CMD [\"sh\"]"), null, null));
    }
  }

  // ---- the snapshot contract ----

  @Test
  void preparedSnapshotIsWritableAndCommitsIntoAParent() throws IOException {
    List<Mount> mounts = snapshotter.prepare("a", null);
    assertFalse(mounts.isEmpty());
    Path mp = mount("a");
    try {
      write(mp.resolve("etc/hostname"), "box\n");
    } finally {
      Mount.unmount(mp);
    }
    snapshotter.commit("base", "a");
    assertTrue(snapshotter.stat("a").isEmpty());
    assertEquals(SnapshotInfo.Kind.COMMITTED, snapshotter.stat("base").orElseThrow().kind());

    snapshotter.prepare("b", "base");
    Path child = mount("b");
    try {
      assertEquals("box\n", Files.readString(child.resolve("etc/hostname")));
      write(child.resolve("etc/hostname"), "changed\n");
      write(child.resolve("new"), "new\n");
    } finally {
      Mount.unmount(child);
    }
    snapshotter.view("v", "base");
    Path view = mount("v");
    try {
      assertEquals("box\n", Files.readString(view.resolve("etc/hostname")), "the parent is unchanged");
      assertFalse(Files.exists(view.resolve("new")));
      assertThrows(IOException.class, () -> Files.writeString(view.resolve("x"), "x"), "a view is read-only");
    } finally {
      Mount.unmount(view);
    }
    Path again = mount("b");
    try {
      assertEquals("changed\n", Files.readString(again.resolve("etc/hostname")), "changes persist across mounts");
    } finally {
      Mount.unmount(again);
    }
  }

  @Test
  void deletionInAChildHidesTheParentsFileOnlyThere() throws IOException {
    layer("l1", null, Map.of("a/x", "x", "a/y", "y", "b", "b"));
    layer("l2", "l1", Map.of("c", "c"));
    snapshotter.prepare("ctr", "l2");
    Path mp = mount("ctr");
    try {
      assertEquals("x", Files.readString(mp.resolve("a/x")));
      assertEquals("c", Files.readString(mp.resolve("c")));
      Files.delete(mp.resolve("a/x"));
      Files.delete(mp.resolve("b"));
      assertFalse(Files.exists(mp.resolve("a/x")));
    } finally {
      Mount.unmount(mp);
    }
    snapshotter.prepare("other", "l2");
    Path other = mount("other");
    try {
      assertEquals("x", Files.readString(other.resolve("a/x")));
      assertEquals("b", Files.readString(other.resolve("b")));
    } finally {
      Mount.unmount(other);
    }
  }

  @Test
  void errorsNameTheSnapshot() throws IOException {
    snapshotter.prepare("a", null);
    var dup = assertThrows(AlreadyExistsException.class, () -> snapshotter.prepare("a", null));
    assertTrue(dup.getMessage().contains("a"), dup.getMessage());
    var missing = assertThrows(NotFoundException.class, () -> snapshotter.prepare("b", "nope"));
    assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
    assertThrows(FailedPreconditionException.class, () -> snapshotter.prepare("b", "a"), "parent is active");
    assertThrows(NotFoundException.class, () -> snapshotter.commit("x", "nope"));
    assertThrows(InvalidArgumentException.class, () -> snapshotter.prepare("", null));
    snapshotter.commit("base", "a");
    assertThrows(FailedPreconditionException.class, () -> snapshotter.commit("again", "base"), "not active");
    assertThrows(FailedPreconditionException.class, () -> snapshotter.mounts("base"));
    snapshotter.prepare("c", "base");
    assertThrows(AlreadyExistsException.class, () -> snapshotter.commit("base", "c"));
    var busy = assertThrows(FailedPreconditionException.class, () -> snapshotter.remove("base"));
    assertTrue(busy.getMessage().contains("c"), busy.getMessage());
    assertThrows(NotFoundException.class, () -> snapshotter.remove("nope"));
    snapshotter.remove("c");
    snapshotter.remove("base");
    assertEquals(List.of(), snapshotter.list());
    try (Stream<Path> dirs = Files.list(root.resolve("snapshots"))) {
      assertEquals(0, dirs.count(), "removed snapshots leave no directories");
    }
  }

  @Test
  void metadataSurvivesReopenAndOrphanDirectoriesAreRemoved() throws IOException {
    layer("base", null, Map.of("f", "1"));
    snapshotter.prepare("ctr", "base");
    snapshotter.view("v", "base");
    List<SnapshotInfo> before = snapshotter.list();
    Path orphan = root.resolve("snapshots/999999");
    Files.createDirectories(orphan.resolve("fs"));
    Files.writeString(orphan.resolve("fs/junk"), "junk");

    Snapshotter reopened = open(root);
    assertEquals(before, reopened.list());
    assertEquals(List.of("base", "ctr", "v"), reopened.list().stream().map(SnapshotInfo::name).toList());
    assertEquals("base", reopened.stat("ctr").orElseThrow().parent());
    assertFalse(Files.exists(orphan), "a directory the metadata does not name is removed");
    assertEquals(snapshotter.mounts("ctr"), reopened.mounts("ctr"));
  }

  @Test
  void longChainsMountEvenBeyondOnePageOfLowerDirs() throws IOException {
    String parent = null;
    int depth = 130;
    for (int i = 0; i < depth; i++) {
      parent = layer("layer-" + i, parent, Map.of("files/f" + i, Integer.toString(i)));
    }
    snapshotter.prepare("top", parent);
    Path mp = mount("top");
    try (Stream<Path> files = Files.list(mp.resolve("files"))) {
      assertEquals(depth, files.count());
      assertEquals("0", Files.readString(mp.resolve("files/f0")));
      assertEquals(Integer.toString(depth - 1), Files.readString(mp.resolve("files/f" + (depth - 1))));
    } finally {
      Mount.unmount(mp);
    }
  }

  @Test
  void concurrentPreparesAllSucceed() throws Exception {
    layer("base", null, Map.of("f", "1"));
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<List<Mount>>> all = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String key = "ctr-" + i;
        all.add(pool.submit(() -> snapshotter.prepare(key, "base")));
      }
      for (var f : all) {
        f.get();
      }
    }
    assertEquals(17, snapshotter.list().size());
    assertEquals(17, open(root).list().size(), "every prepare reached the metadata file");
  }

  // ---- unpacking ----

  @Test
  void unpacksBusyboxIntoARootfsThatRuns() throws IOException {
    Image image = busybox();
    var unpacker = new LayerUnpacker(snapshotter, store.content());
    String top = unpacker.unpack(image);
    assertEquals(image.config().rootfs().diffIds().getFirst().toString(), top, "one layer: the chain ID is its diff_id");
    snapshotter.prepare("ctr", top);
    Path rootfs = mount("ctr");
    try {
      assertTrue(Files.isSymbolicLink(rootfs.resolve("bin/sh")));
      assertEquals("1777", Integer.toOctalString((Integer) Files.getAttribute(rootfs.resolve("tmp"), "unix:mode") & 07777));
      var r = Command.of("chroot", rootfs.toString(), "/bin/sh", "-c", "echo hello from $(cat /etc/passwd | head -1 | cut -d: -f1)").checked();
      assertEquals("hello from root", r.out().strip());
    } finally {
      Mount.unmount(rootfs);
    }
    assertEquals(top, unpacker.unpack(image), "a second unpack finds the layer");
    assertEquals(2, snapshotter.list().size(), "the layer and the container, nothing else");
  }

  @Test
  void unpacksLayersWithWhiteoutsOpaqueDirsAndEveryKindOfFile() throws IOException {
    byte[] l1 = new TarBuilder()
        .dir("a").file("a/x", "x").file("a/y", "y").file("b", "b").dir("c").file("c/d", "d")
        .dir("keep").file("keep/k", "k").build();
    byte[] l2 = new TarBuilder()
        .whiteout("b").dir("a").opaque("a").file("a/z", "z").file("c/e", "e")
        .file("owned", "o".getBytes(StandardCharsets.UTF_8), 04755, 1000, 1001).build();
    Instant t = Instant.parse("2020-02-02T02:02:02Z");
    byte[] l3 = TestImages.tar(
        List.of(
            new TarEntry.RegularFile("bin/tool", 4, new TarEntry.Attributes(0755, 0, 0, t).withXattrs(Map.of("user.berth", "yes"))),
            new TarEntry.Hardlink("bin/tool-link", "bin/tool", TarEntry.Attributes.of(0755)),
            new TarEntry.Symlink("bin/ln", "/bin/tool", TarEntry.Attributes.of(0777)),
            new TarEntry.Device("dev/null", false, 1, 3, TarEntry.Attributes.of(0666)),
            new TarEntry.Fifo("run/fifo", TarEntry.Attributes.of(0600))),
        List.of("tool".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[0], new byte[0], new byte[0]));
    Image image = TestImages.image(store, "layers:1",
        List.of(TestImages.Layer.plain(l1), TestImages.Layer.gzip(l2), TestImages.Layer.zstd(l3)));
    var unpacker = new LayerUnpacker(snapshotter, store.content());
    String top = unpacker.unpack(image);
    List<Digest> chain = LayerUnpacker.chainIds(image.config().rootfs().diffIds());
    assertEquals(chain.getLast().toString(), top);
    assertEquals(Digest.sha256((chain.get(0) + " " + image.config().rootfs().diffIds().get(1)).getBytes(StandardCharsets.US_ASCII)),
        chain.get(1), "the image-spec's chain ID");
    for (Digest c : chain) {
      assertEquals(SnapshotInfo.Kind.COMMITTED, snapshotter.stat(c.toString()).orElseThrow().kind());
    }

    snapshotter.view("look", top);
    Path fs = mount("look");
    try {
      assertFalse(Files.exists(fs.resolve("b"), LinkOption.NOFOLLOW_LINKS), "whited out");
      assertFalse(Files.exists(fs.resolve("a/x")), "hidden by the opaque marker");
      assertFalse(Files.exists(fs.resolve("a/y")));
      assertEquals("z", Files.readString(fs.resolve("a/z")));
      assertEquals("d", Files.readString(fs.resolve("c/d")));
      assertEquals("e", Files.readString(fs.resolve("c/e")));
      assertEquals("k", Files.readString(fs.resolve("keep/k")));
      assertFalse(Files.exists(fs.resolve("a/.wh..wh..opq")));
      assertFalse(Files.exists(fs.resolve(".wh.b")));
      assertEquals("file 4755 1000:1001", Trees.describeOne(fs.resolve("owned")).replaceFirst(" [0-9a-f]{16}", ""));
      assertEquals(Files.getAttribute(fs.resolve("bin/tool"), "unix:ino"), Files.getAttribute(fs.resolve("bin/tool-link"), "unix:ino"));
      assertEquals("/bin/tool", Files.readSymbolicLink(fs.resolve("bin/ln")).toString());
      assertEquals("chr " + ((1 << 8) | 3) + " 666 0:0", Trees.describeOne(fs.resolve("dev/null")));
      assertEquals("fifo 600 0:0", Trees.describeOne(fs.resolve("run/fifo")));
      assertEquals("yes", new String(Syscalls.lgetxattr(fs.resolve("bin/tool"), "user.berth"), StandardCharsets.UTF_8));
      assertEquals(t, Files.getLastModifiedTime(fs.resolve("bin/tool"), LinkOption.NOFOLLOW_LINKS).toInstant());
    } finally {
      Mount.unmount(fs);
    }
  }

  @Test
  void imagesShareTheirCommonLayers() throws IOException {
    byte[] base = new TarBuilder().file("base", "base").build();
    Image one = TestImages.image(store, "one:1", List.of(TestImages.Layer.plain(base), TestImages.Layer.plain(new TarBuilder().file("one", "1").build())));
    Image two = TestImages.image(store, "two:1", List.of(TestImages.Layer.gzip(base), TestImages.Layer.plain(new TarBuilder().file("two", "2").build())));
    var unpacker = new LayerUnpacker(snapshotter, store.content());
    unpacker.unpack(one);
    unpacker.unpack(two);
    assertEquals(3, snapshotter.list().size(), "the base layer is unpacked once, whatever its compression");
  }

  @Test
  void aDiffIdMismatchFailsAndCommitsNothing() throws IOException {
    byte[] good = new TarBuilder().file("f", "good").build();
    byte[] other = new TarBuilder().file("f", "other").build();
    Image image = TestImages.image(store, "bad:1", List.of(TestImages.Layer.gzip(good).claiming(Digest.sha256(other))));
    var e = assertThrows(InvalidArgumentException.class, () -> new LayerUnpacker(snapshotter, store.content()).unpack(image));
    assertTrue(e.getMessage().contains("diff_id " + Digest.sha256(other)), e.getMessage());
    assertTrue(e.getMessage().contains("hashes to " + Digest.sha256(good)), e.getMessage());
    assertEquals(List.of(), snapshotter.list(), "nothing committed, no work snapshot left");
    assertEquals(List.of(), TempDirs.mountsUnder(tmp));
  }

  @Test
  void aMissingLayerBlobFailsClearlyAndCommitsNothing() {
    byte[] layer = new TarBuilder().file("f", "f").build();
    Image image = TestImages.image(store, "missing:1", List.of(TestImages.Layer.plain(layer)));
    store.content().delete(image.manifest().layers().getFirst().digest());
    var e = assertThrows(NotFoundException.class, () -> new LayerUnpacker(snapshotter, store.content()).unpack(image));
    assertTrue(e.getMessage().contains(image.manifest().layers().getFirst().digest().toString()), e.getMessage());
    assertEquals(List.of(), snapshotter.list());
  }

  static Stream<Arguments> hostileLayers() {
    return Stream.of(
        Arguments.of("dotDotEntry", (Supplier<byte[]>) HostileTars::dotDotEntry),
        Arguments.of("dotDotInMiddle", (Supplier<byte[]>) HostileTars::dotDotInMiddle),
        Arguments.of("absolutePath", (Supplier<byte[]>) HostileTars::absolutePath),
        Arguments.of("symlinkEscapeThenWrite", (Supplier<byte[]>) HostileTars::symlinkEscapeThenWrite),
        Arguments.of("symlinkAbsoluteThenWrite", (Supplier<byte[]>) HostileTars::symlinkAbsoluteThenWrite),
        Arguments.of("hardlinkOutside", (Supplier<byte[]>) HostileTars::hardlinkOutside),
        Arguments.of("hardlinkAbsolute", (Supplier<byte[]>) HostileTars::hardlinkAbsolute),
        Arguments.of("hardlinkThroughSymlink", (Supplier<byte[]>) HostileTars::hardlinkThroughSymlink),
        Arguments.of("symlinkChain", (Supplier<byte[]>) HostileTars::symlinkChain),
        Arguments.of("symlinkLoop", (Supplier<byte[]>) HostileTars::symlinkLoop));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileLayers")
  void hostileLayersWriteNothingOutside(String name, Supplier<byte[]> tar) throws IOException {
    // Below an innocent base layer, as an attack would be.
    byte[] base = new TarBuilder().dir("tmp").dir("etc").file("etc/hostname", "inside\n").build();
    Image image = TestImages.image(store, "hostile:" + name.toLowerCase(), List.of(TestImages.Layer.plain(base), TestImages.Layer.gzip(tar.get())));
    var unpacker = new LayerUnpacker(snapshotter, store.content());
    String hostHostname = Files.readString(Path.of("/etc/hostname"));
    String top = null;
    try {
      top = unpacker.unpack(image);
    } catch (BerthException e) {
      assertTrue(e.getMessage().contains("unpacking"), e.getMessage());
    }
    assertFalse(Files.exists(Path.of("/tmp", HostileTars.OUTSIDE)), "written into the host's /tmp");
    try (Stream<Path> walk = Files.walk(tmp)) {
      List<Path> found = walk.filter(p -> p.getFileName().toString().equals(HostileTars.OUTSIDE)).toList();
      for (Path p : found) {
        assertTrue(p.startsWith(root.resolve("snapshots")), "only inside a snapshot: " + p);
      }
    }
    assertEquals(hostHostname, Files.readString(Path.of("/etc/hostname")), "the host's /etc/hostname is untouched");
    if (top == null) {
      assertEquals(1, snapshotter.list().size(), "only the base layer is committed");
    }
    assertEquals(List.of(), TempDirs.mountsUnder(tmp));
  }

  @Test
  void concurrentUnpacksOfOneImageUnpackEachLayerOnce() throws Exception {
    Image image = TestImages.image(store, "same:1", List.of(
        TestImages.Layer.gzip(new TarBuilder().file("a", "a").build()),
        TestImages.Layer.gzip(new TarBuilder().file("b", "b").build()),
        TestImages.Layer.gzip(new TarBuilder().file("c", "c").build())));
    List<String> tops = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> all = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        // Each with its own unpacker, as separate API requests would have.
        all.add(pool.submit((Callable<String>) () -> new LayerUnpacker(snapshotter, store.content()).unpack(image)));
      }
      for (var f : all) {
        tops.add(f.get());
      }
    }
    assertEquals(1, tops.stream().distinct().count());
    assertEquals(3, snapshotter.list().size());
  }

  @Test
  void interruptedUnpacksAreRemoved() {
    snapshotter.prepare(LayerUnpacker.EXTRACT_PREFIX + "crashed", null);
    snapshotter.prepare("ctr-keep", null);
    new LayerUnpacker(snapshotter, store.content()).removeInterrupted();
    assertEquals(List.of("ctr-keep"), snapshotter.list().stream().map(SnapshotInfo::name).toList());
  }

  // ---- diffs ----

  @Test
  void aRunStepsDiffHoldsExactlyWhatItWrote() throws IOException {
    String top = new LayerUnpacker(snapshotter, store.content()).unpack(busybox());
    snapshotter.prepare("build-1", top);
    Path rootfs = mount("build-1");
    try {
      Command.of("chroot", rootfs.toString(), "/bin/sh", "-c", "echo \"myfile\" > /tmp/myfile.txt").checked();
    } finally {
      Mount.unmount(rootfs);
    }
    byte[] layer = diff("build-1");
    assertEquals(List.of("tmp/", "tmp/myfile.txt"), entryNames(layer));
    try (TarReader r = TarReader.of(new ByteArrayInputStream(layer))) {
      r.next();
      r.next();
      assertEquals("myfile\n", new String(r.content().readAllBytes(), StandardCharsets.UTF_8));
    }
    assertTrue(java.util.Arrays.equals(layer, diff("build-1")), "the same tree gives the same bytes");
  }

  @Test
  void aClampedDiffKeepsOlderTimesAndClampsNewerOnes() throws IOException {
    String top = new LayerUnpacker(snapshotter, store.content()).unpack(busybox());
    snapshotter.prepare("build-1", top);
    Path rootfs = mount("build-1");
    Instant old = Instant.ofEpochSecond(1_000_000_000L);
    Instant limit = Instant.ofEpochSecond(1_500_000_000L);
    try {
      write(rootfs.resolve("tmp/new"), "new");
      write(rootfs.resolve("tmp/old"), "old");
      Files.setLastModifiedTime(rootfs.resolve("tmp/old"), java.nio.file.attribute.FileTime.from(old));
      Files.delete(rootfs.resolve("etc/group"));
    } finally {
      Mount.unmount(rootfs);
    }
    var out = new ByteArrayOutputStream();
    Differ.of(snapshotter).writeDiff("build-1", out, limit);
    Map<String, Instant> mtimes = new java.util.TreeMap<>();
    try (TarReader r = TarReader.of(new ByteArrayInputStream(out.toByteArray()))) {
      for (TarEntry e; (e = r.next()) != null; ) {
        mtimes.put(e.name(), e.attributes().mtime());
      }
    }
    assertEquals(old, mtimes.get("tmp/old"), "older times are kept");
    assertEquals(limit, mtimes.get("tmp/new"), "newer times are clamped");
    assertEquals(limit, mtimes.get("tmp"));
    assertTrue(mtimes.values().stream().noneMatch(t -> t.isAfter(limit)), mtimes.toString());
    assertTrue(mtimes.containsKey("etc/.wh.group"), mtimes.toString());
  }

  @Test
  void diffsRoundTripOntoTheParent() throws IOException {
    byte[] base = new TarBuilder()
        .dir("etc").file("etc/passwd", "root:x:0:0::/root:/bin/sh\n").file("etc/motd", "hi\n")
        .dir("data").dir("data/old").file("data/old/1", "1").file("data/old/2", "2")
        .dir("gone").file("gone/file", "g").file("mode", "m").symlink("link", "etc/motd").build();
    String top = new LayerUnpacker(snapshotter, store.content())
        .unpack(TestImages.image(store, "base:1", List.of(TestImages.Layer.plain(base))));
    snapshotter.prepare("ctr", top);
    Path mp = mount("ctr");
    try {
      Files.writeString(mp.resolve("etc/motd"), "changed\n");
      Files.delete(mp.resolve("etc/passwd"));
      // rm -rf and mkdir again: overlay marks the directory opaque.
      Command.of("rm", "-rf", mp.resolve("data/old").toString()).checked();
      Files.createDirectory(mp.resolve("data/old"));
      Files.writeString(mp.resolve("data/old/3"), "3");
      Command.of("rm", "-rf", mp.resolve("gone").toString()).checked();
      Files.setAttribute(mp.resolve("mode"), "unix:mode", 0600);
      Files.setAttribute(mp.resolve("mode"), "unix:uid", 42);
      Files.delete(mp.resolve("link"));
      Files.createSymbolicLink(mp.resolve("link"), Path.of("/elsewhere"));
      Files.createDirectories(mp.resolve("new/deep"));
      Files.writeString(mp.resolve("new/deep/file"), "new");
      Files.createLink(mp.resolve("new/hard"), mp.resolve("new/deep/file"));
      Files.setAttribute(mp.resolve("new/deep/file"), "user:note", "kept".getBytes(StandardCharsets.UTF_8));
    } finally {
      Mount.unmount(mp);
    }
    byte[] layer = diff("ctr");
    List<String> names = entryNames(layer);
    assertTrue(names.contains("gone/") == false && names.contains(".wh.gone"), names.toString());
    assertTrue(names.contains("etc/.wh.passwd"), names.toString());
    assertFalse(names.contains("data/old/1"), names.toString());
    assertEquals(names.stream().sorted(SnapshotterContract::tarOrder).toList(), names, "entries are sorted");

    // Apply the diff onto a fresh snapshot of the parent: the trees must match.
    snapshotter.prepare("replay", top);
    Path replay = mount("replay");
    Path original = mount("ctr");
    try {
      SafeExtractor.into(replay, SafeExtractor.Options.layer()).extract(Compression.decompressed(new ByteArrayInputStream(layer)));
      assertEquals(Trees.describe(original), Trees.describe(replay));
      assertFalse(Files.exists(replay.resolve("data/old/1")));
      assertEquals("3", Files.readString(replay.resolve("data/old/3")));
      assertTrue(Trees.describeOne(replay.resolve("new/deep/file")).endsWith("x=user.note"));
    } finally {
      Mount.unmount(replay);
      Mount.unmount(original);
    }
  }

  /** Directory before children, siblings by name: the order a sorted walk writes. */
  private static int tarOrder(String a, String b) {
    return a.replace("/", "\0").compareTo(b.replace("/", "\0"));
  }
}

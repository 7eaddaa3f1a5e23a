package dev.berth.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.testing.tar.HostileTars;
import dev.berth.testing.tar.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeExtractorTest {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final Path HOST_TMP_TARGET = Path.of("/tmp", HostileTars.OUTSIDE);

  @TempDir Path outer;
  Path root;

  @BeforeEach
  void setUp() throws IOException {
    // Extract one level down, so that anything escaping by ".." shows up in `outer`.
    root = Files.createDirectory(outer.resolve("root"));
  }

  private SafeExtractor.Summary extract(byte[] tar) throws IOException {
    return extract(tar, SafeExtractor.Options.defaults());
  }

  private SafeExtractor.Summary extract(byte[] tar, SafeExtractor.Options options) throws IOException {
    return SafeExtractor.into(root, options).extract(Compression.decompressed(new ByteArrayInputStream(tar)));
  }

  private List<String> outerEntries() throws IOException {
    try (Stream<Path> s = Files.list(outer)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void refusesEveryBreakoutAndWritesNothingOutside() throws IOException {
    assumeTrue(Files.notExists(HOST_TMP_TARGET, NOFOLLOW), "host leftovers from an earlier run");
    Map<String, Supplier<byte[]>> hostile =
        Map.of(
            "dotDotEntry", HostileTars::dotDotEntry,
            "dotDotInMiddle", HostileTars::dotDotInMiddle,
            "absolutePath", HostileTars::absolutePath,
            "symlinkEscapeThenWrite", HostileTars::symlinkEscapeThenWrite,
            "hardlinkOutside", HostileTars::hardlinkOutside,
            "hardlinkAbsolute", HostileTars::hardlinkAbsolute,
            "hardlinkThroughSymlink", HostileTars::hardlinkThroughSymlink,
            "symlinkChain", HostileTars::symlinkChain,
            "symlinkLoop", HostileTars::symlinkLoop);
    for (var h : hostile.entrySet()) {
      var e = assertThrows(InvalidArgumentException.class, () -> extract(h.getValue().get()), h.getKey());
      assertTrue(e.getMessage().startsWith("tar entry \""), e.getMessage());
      // Gzipped, the same archives fail the same way.
      byte[] gz = CompressionTest.compress(Compression.GZIP, h.getValue().get());
      assertThrows(InvalidArgumentException.class, () -> extract(gz), h.getKey() + " gzipped");
      assertEquals(List.of("root"), outerEntries(), h.getKey());
      assertTrue(Files.notExists(HOST_TMP_TARGET, NOFOLLOW), h.getKey());
    }
  }

  @Test
  void absoluteSymlinkIsFollowedInsideTheRoot() throws IOException {
    extract(HostileTars.symlinkAbsoluteThenWrite());
    assertEquals(Path.of("/tmp"), Files.readSymbolicLink(root.resolve("loophole")));
    assertEquals("inside\n", Files.readString(root.resolve("tmp").resolve(HostileTars.OUTSIDE)));
    assertTrue(Files.notExists(HOST_TMP_TARGET, NOFOLLOW));
  }

  @Test
  void refusesToWriteThroughAnEscapingSymlinkAlreadyOnDisk() throws IOException {
    Path victim = Files.createDirectory(outer.resolve("victim"));
    Files.createSymbolicLink(root.resolve("link"), Path.of("../victim"));
    var e = assertThrows(InvalidArgumentException.class, () -> extract(new TarBuilder().file("link/f", "x").build()));
    assertTrue(e.getMessage().contains("\"link\" -> \"../victim\""), e.getMessage());
    assertTrue(Files.notExists(victim.resolve("f")));
  }

  @Test
  void absoluteSymlinkOnDiskIsResolvedInsideTheRoot() throws IOException {
    Path victim = Files.createDirectory(outer.resolve("victim"));
    Files.createSymbolicLink(root.resolve("abs"), victim); // an absolute host path
    extract(new TarBuilder().file("abs/f", "x").build());
    assertTrue(Files.notExists(victim.resolve("f")));
    assertEquals("x", Files.readString(root.resolve(outer.getRoot().relativize(victim)).resolve("f")));
  }

  @Test
  void replacesASymlinkRatherThanWritingThroughIt() throws IOException {
    Path victim = Files.writeString(outer.resolve("victim"), "precious");
    Files.createSymbolicLink(root.resolve("passwd"), victim);
    extract(new TarBuilder().file("passwd", "replaced").build());
    assertEquals("precious", Files.readString(victim));
    assertFalse(Files.isSymbolicLink(root.resolve("passwd")));
    assertEquals("replaced", Files.readString(root.resolve("passwd")));
  }

  @Test
  void hardlinkToASymlinkLinksTheSymlinkItself() throws IOException {
    Path victim = Files.writeString(outer.resolve("victim"), "precious");
    extract(new TarBuilder().symlink("s", victim.toString()).hardlink("h", "s").file("h", "new").build());
    assertEquals("precious", Files.readString(victim));
    assertEquals("new", Files.readString(root.resolve("h")));
  }

  @Test
  void appliesWhiteoutsOfALayer() throws IOException {
    Files.writeString(root.resolve("gone"), "lower");
    Files.writeString(root.resolve("kept"), "lower");
    Files.createDirectories(root.resolve("d/sub"));
    Files.writeString(root.resolve("d/old"), "lower");
    Files.writeString(root.resolve("d/sub/older"), "lower");
    Files.createDirectories(root.resolve("tree/x"));
    byte[] layer =
        new TarBuilder()
            .whiteout("gone")
            .whiteout("tree")
            .dir("d")
            .file("d/sub/new", "upper") // before the marker: must survive it
            .opaque("d")
            .file("d/fresh", "upper")
            .file("same", "upper")
            .whiteout("same") // a whiteout never hides its own layer
            .build();
    extract(layer, SafeExtractor.Options.layer());
    assertEquals(List.of("d", "kept", "same"), list(root));
    assertEquals(List.of("fresh", "sub"), list(root.resolve("d")));
    assertEquals(List.of("new"), list(root.resolve("d/sub")));
  }

  @Test
  void keepsWhiteoutsAsFilesWhenNotApplying() throws IOException {
    Files.writeString(root.resolve("gone"), "lower");
    extract(new TarBuilder().whiteout("gone").opaque("").build(), SafeExtractor.Options.defaults().withWhiteouts(false));
    assertEquals(List.of(".wh..wh..opq", ".wh.gone", "gone"), list(root));
  }

  @Test
  void whiteoutCannotNameTheParent() {
    assertThrows(
        InvalidArgumentException.class,
        () -> extract(new TarBuilder().dir("d").file("d/.wh..", new byte[0]).build(), SafeExtractor.Options.layer()));
  }

  @Test
  void restoresModesTimesLinksAndOwners() throws IOException {
    Instant t = Instant.parse("2020-01-02T03:04:05Z");
    var bytes = new ByteArrayOutputStream();
    try (TarWriter w = TarWriter.to(bytes)) {
      w.write(new TarEntry.Directory("ro", new TarEntry.Attributes(0555, 0, 0, t)));
      w.write(new TarEntry.RegularFile("ro/suid", 2, new TarEntry.Attributes(04755, 1234, 5678, t)), new ByteArrayInputStream("hi".getBytes()));
      w.write(new TarEntry.Hardlink("ro/again", "ro/suid", TarEntry.Attributes.of(0)));
      w.write(new TarEntry.Symlink("ro/link", "suid", new TarEntry.Attributes(0777, 1234, 5678, t)));
      w.write(new TarEntry.Fifo("pipe", new TarEntry.Attributes(0640, 0, 0, t)));
      w.write(new TarEntry.Device("null", false, 1, 3, new TarEntry.Attributes(0666, 0, 0, t)));
    }
    var summary = extract(bytes.toByteArray());
    assertEquals(6, summary.entries());
    assertEquals(2, summary.bytes());
    Path dir = root.resolve("ro");
    Path file = dir.resolve("suid");
    assertEquals(0555, attr(dir, "mode") & 07777);
    assertEquals(FileTime.from(t), Files.getLastModifiedTime(dir, NOFOLLOW));
    assertEquals(04755, attr(file, "mode") & 07777);
    assertEquals(FileTime.from(t), Files.getLastModifiedTime(file));
    assertEquals(attr(file, "ino"), attr(dir.resolve("again"), "ino"));
    assertEquals(Path.of("suid"), Files.readSymbolicLink(dir.resolve("link")));
    assertEquals(0010640, attr(root.resolve("pipe"), "mode"));
    if (SafeExtractor.RUNNING_AS_ROOT) {
      assertEquals(1234, attr(file, "uid"));
      assertEquals(5678, attr(file, "gid"));
      assertEquals(1234, attr(dir.resolve("link"), "uid"));
      assertEquals(0020666, attr(root.resolve("null"), "mode"));
      assertEquals(Native.makedev(1, 3), attr(root.resolve("null"), "rdev"));
    } else {
      assertEquals(List.of("null"), summary.skipped());
    }
  }

  @Test
  void restoresExtendedAttributes() throws IOException {
    Path probe = Files.writeString(outer.resolve("probe"), "");
    var view = Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class);
    try {
      view.write("berth", ByteBuffer.wrap(new byte[] {1}));
    } catch (IOException e) {
      assumeTrue(false, "no user xattrs on " + outer);
    }
    var bytes = new ByteArrayOutputStream();
    try (TarWriter w = TarWriter.to(bytes)) {
      w.write(new TarEntry.RegularFile("f", 0, TarEntry.Attributes.of(0644).withXattrs(Map.of("user.berth", "hello"))));
    }
    extract(bytes.toByteArray());
    var got = Files.getFileAttributeView(root.resolve("f"), UserDefinedFileAttributeView.class);
    ByteBuffer b = ByteBuffer.allocate(got.size("berth"));
    got.read("berth", b);
    assertEquals("hello", new String(b.array(), StandardCharsets.UTF_8));
  }

  @Test
  void replacesFilesAndDirectoriesOfEarlierEntries() throws IOException {
    extract(new TarBuilder().dir("x").file("x/f", "1").file("x", "now a file").dir("y").dir("y").file("y/g", "2").build());
    assertEquals("now a file", Files.readString(root.resolve("x")));
    assertEquals("2", Files.readString(root.resolve("y/g")));
  }

  @Test
  void refusesAHardlinkToNothing() {
    var e = assertThrows(InvalidArgumentException.class, () -> extract(new TarBuilder().hardlink("h", "missing").build()));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void refusesARootThatIsNotADirectory() throws IOException {
    Path file = Files.writeString(outer.resolve("file"), "");
    assertThrows(InvalidArgumentException.class, () -> SafeExtractor.into(file).extract(new ByteArrayInputStream(new TarBuilder().build())));
  }

  static int attr(Path p, String name) throws IOException {
    Object v = Files.getAttribute(p, "unix:" + name, NOFOLLOW);
    return v instanceof Long l ? (int) (long) l : (Integer) v;
  }

  static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}

package dev.berth.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.testing.tar.HostileTars;
import dev.berth.testing.tar.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class TarReaderWriterTest {
  private static final Instant T = Instant.parse("2024-05-06T07:08:09Z");
  private static final String LONG = "deep/".repeat(40) + "név-ü.txt"; // > 100 bytes, non-ASCII

  private record Read(TarEntry entry, byte[] content) {}

  static List<Read> readAll(byte[] tar) throws IOException {
    List<Read> out = new ArrayList<>();
    try (TarReader r = TarReader.of(new ByteArrayInputStream(tar))) {
      for (TarEntry e; (e = r.next()) != null; ) {
        out.add(new Read(e, r.content().readAllBytes()));
      }
    }
    return out;
  }

  private static List<TarEntry> sample() {
    var a = new TarEntry.Attributes(0755, 1000, 1001, T);
    return List.of(
        new TarEntry.Directory("etc", a),
        new TarEntry.RegularFile("etc/hostname", 4, new TarEntry.Attributes(04755, 0, 0, T)),
        new TarEntry.RegularFile(LONG, 4, a.withXattrs(Map.of("user.note", "hi", "security.capability", "cap"))),
        new TarEntry.Symlink("link", "/" + LONG, new TarEntry.Attributes(0777, 0, 0, T)),
        new TarEntry.Hardlink("hard", "etc/hostname", new TarEntry.Attributes(04755, 0, 0, T)),
        new TarEntry.Device("dev/null", false, 1, 3, new TarEntry.Attributes(0666, 0, 0, T)),
        new TarEntry.Device("dev/sda", true, 8, 0x123456, new TarEntry.Attributes(0660, 0, 6, T)),
        new TarEntry.Fifo("fifo", new TarEntry.Attributes(0600, 0, 0, T)),
        new TarEntry.RegularFile("big-uid", 4, new TarEntry.Attributes(0600, 3_000_000, 3_000_000, T)));
  }

  static byte[] write(List<TarEntry> entries, TarWriter.Overrides overrides) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (TarWriter w = TarWriter.to(bytes, overrides)) {
      for (TarEntry e : entries) {
        if (e instanceof TarEntry.RegularFile f && f.size() > 0) {
          w.write(f, new ByteArrayInputStream("data".getBytes(StandardCharsets.UTF_8)));
        } else {
          w.write(e);
        }
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void writesAndReadsEveryKind() throws IOException {
    List<Read> read = readAll(write(sample(), TarWriter.Overrides.NONE));
    assertEquals(sample(), read.stream().map(Read::entry).toList());
    assertEquals("data", new String(read.get(1).content(), StandardCharsets.UTF_8));
    assertEquals("data", new String(read.get(2).content(), StandardCharsets.UTF_8));
    assertEquals(0, read.get(0).content().length);
  }

  @Test
  void writesIdenticalBytesForIdenticalEntries() throws IOException {
    byte[] one = write(sample(), TarWriter.Overrides.NONE);
    assertArrayEquals(one, write(sample(), TarWriter.Overrides.NONE));
    assertTrue(one.length % 512 == 0);
  }

  @Test
  void overridesReplaceTimesAndOwners() throws IOException {
    for (Read r : readAll(write(sample(), TarWriter.Overrides.REPRODUCIBLE))) {
      assertEquals(Instant.EPOCH, r.entry().attributes().mtime());
      assertEquals(0, r.entry().attributes().uid());
      assertEquals(0, r.entry().attributes().gid());
    }
  }

  @Test
  void truncatesTimesToSeconds() throws IOException {
    var e = new TarEntry.Directory("d", new TarEntry.Attributes(0755, 0, 0, T.plusNanos(123_456_789)));
    assertEquals(T, readAll(write(List.of(e), TarWriter.Overrides.NONE)).getFirst().entry().attributes().mtime());
  }

  @Test
  void refusesContentOfTheWrongLength() throws IOException {
    try (TarWriter w = TarWriter.to(new ByteArrayOutputStream())) {
      var f = new TarEntry.RegularFile("f", 10, TarEntry.Attributes.of(0644));
      assertThrows(InvalidArgumentException.class, () -> w.write(f, new ByteArrayInputStream(new byte[5])));
    }
    try (TarWriter w = TarWriter.to(new ByteArrayOutputStream())) {
      var f = new TarEntry.RegularFile("f", 3, TarEntry.Attributes.of(0644));
      assertThrows(InvalidArgumentException.class, () -> w.write(f, new ByteArrayInputStream(new byte[5])));
    }
  }

  @Test
  void writerRefusesHostileNames() {
    var w = TarWriter.to(new ByteArrayOutputStream());
    assertThrows(InvalidArgumentException.class, () -> w.write(new TarEntry.Directory("../x", TarEntry.Attributes.of(0755))));
    assertThrows(InvalidArgumentException.class, () -> w.write(new TarEntry.Hardlink("x", "/etc/passwd", TarEntry.Attributes.of(0644))));
  }

  @Test
  void readsGnuLongNamesAndNormalisesDotSlash() throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
      var e = new TarArchiveEntry("./" + "x".repeat(150));
      e.setSize(2);
      e.setModTime(FileTime.from(T));
      tar.putArchiveEntry(e);
      tar.write(new byte[] {'o', 'k'});
      tar.closeArchiveEntry();
      var link = new TarArchiveEntry("l", TarArchiveEntry.LF_SYMLINK);
      link.setLinkName("y".repeat(150));
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
    }
    List<Read> read = readAll(bytes.toByteArray());
    assertEquals("x".repeat(150), read.get(0).entry().name());
    assertArrayEquals(new byte[] {'o', 'k'}, read.get(0).content());
    assertEquals("y".repeat(150), ((TarEntry.Symlink) read.get(1).entry()).target());
  }

  @Test
  void readsByEntryNameAndSkipsUnreadContent() throws IOException {
    byte[] tar = new TarBuilder().file("./a", "aaa").dir("d/").file("d/b", "bbb").build();
    try (TarReader r = TarReader.of(new ByteArrayInputStream(tar))) {
      assertEquals("a", r.next().name()); // content left unread
      assertEquals(new TarEntry.Directory("d", new TarEntry.Attributes(0755, 0, 0, Instant.EPOCH)), r.next());
      assertEquals(0, r.content().readAllBytes().length);
      assertEquals("d/b", r.next().name());
      assertEquals("bbb", new String(r.content().readAllBytes(), StandardCharsets.UTF_8));
      assertNull(r.next());
    }
  }

  @Test
  void readsCompressedThroughDetection() throws IOException {
    byte[] gz = new TarBuilder().file("a", "aaa").buildGzip();
    try (TarReader r = TarReader.of(Compression.decompressed(new ByteArrayInputStream(gz)))) {
      assertEquals("a", r.next().name());
      assertEquals("aaa", new String(r.content().readAllBytes(), StandardCharsets.UTF_8));
      assertNull(r.next());
    }
  }

  @Test
  void truncatedTarIsInvalid() {
    byte[] tar = new TarBuilder().file("a", new byte[2000]).build();
    byte[] cut = Arrays.copyOf(tar, 1024); // header and part of the content
    var e = assertThrows(InvalidArgumentException.class, () -> readAll(cut));
    assertTrue(e.getMessage().contains("\"a\""), e.getMessage());
    byte[] garbage = new byte[1024];
    Arrays.fill(garbage, (byte) 'z');
    assertThrows(InvalidArgumentException.class, () -> readAll(garbage));
  }

  @Test
  void refusesEveryHostileArchive() {
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
    hostile.forEach(
        (name, tar) -> {
          var e = assertThrows(InvalidArgumentException.class, () -> readAll(tar.get()), name);
          assertTrue(e.getMessage().startsWith("tar entry \""), name + ": " + e.getMessage());
        });
  }

  @Test
  void absoluteSymlinkThenWriteStaysInside() throws IOException {
    // Readers see names only; the write lands in ROOT/tmp once extracted (see SafeExtractorTest).
    List<Read> read = readAll(HostileTars.symlinkAbsoluteThenWrite());
    assertEquals("loophole/" + HostileTars.OUTSIDE, read.get(1).entry().name());
  }

  @Test
  void namesTheEscapingEntry() {
    var e = assertThrows(InvalidArgumentException.class, () -> readAll(HostileTars.dotDotEntry()));
    assertEquals("tar entry \"../" + HostileTars.OUTSIDE + "\" escapes the archive root", e.getMessage());
  }
}

package dev.berth.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTarTest {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final Instant T = Instant.parse("2021-06-07T08:09:10Z");

  @TempDir Path tmp;

  /** A small rootfs with every kind of file the archiver handles. */
  private Path tree(String name) throws IOException {
    Path root = Files.createDirectory(tmp.resolve(name));
    Files.createDirectories(root.resolve("usr/bin"));
    Files.createDirectories(root.resolve("empty"));
    Files.writeString(root.resolve("usr/bin/busybox"), "#!binary");
    Files.setPosixFilePermissions(root.resolve("usr/bin/busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setAttribute(root.resolve("usr/bin/busybox"), "unix:mode", 04755);
    Files.createLink(root.resolve("usr/bin/sh"), root.resolve("usr/bin/busybox"));
    Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
    Files.createSymbolicLink(root.resolve("usr/bin/ls"), Path.of("/bin/busybox"));
    Files.writeString(root.resolve("a.txt"), "a");
    Files.writeString(root.resolve("Z.txt"), "z");
    Files.writeString(root.resolve("owned"), "o");
    Files.createDirectory(root.resolve("tmp"));
    Files.setAttribute(root.resolve("tmp"), "unix:mode", 01777);
    Native.mknod(root.resolve("pipe"), Native.S_IFIFO | 0600, 0);
    if (SafeExtractor.RUNNING_AS_ROOT) {
      Files.setAttribute(root.resolve("owned"), "unix:uid", 1000);
      Files.setAttribute(root.resolve("owned"), "unix:gid", 1001);
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        Native.setMtime(p, T);
      }
    }
    return root;
  }

  private static byte[] tar(Path root, TarWriter.Overrides overrides) throws IOException {
    var bytes = new ByteArrayOutputStream();
    DirectoryTar.of(root).with(overrides).writeTo(bytes);
    return bytes.toByteArray();
  }

  @Test
  void sameTreeGivesSameBytes() throws IOException {
    Path root = tree("one");
    assertArrayEquals(tar(root, TarWriter.Overrides.NONE), tar(root, TarWriter.Overrides.NONE));
    // Independent trees with the same content, differing only in times: equal when reproducible.
    Path other = tree("two");
    Native.setMtime(other.resolve("a.txt"), Instant.now());
    assertArrayEquals(tar(root, TarWriter.Overrides.REPRODUCIBLE), tar(other, TarWriter.Overrides.REPRODUCIBLE));
    assertFalse(java.util.Arrays.equals(tar(root, TarWriter.Overrides.NONE), tar(other, TarWriter.Overrides.NONE)));
  }

  @Test
  void entriesAreSortedAndHardlinksShareTheFirstName() throws IOException {
    List<TarEntry> entries = new java.util.ArrayList<>();
    try (TarReader r = TarReader.of(new ByteArrayInputStream(tar(tree("t"), TarWriter.Overrides.NONE)))) {
      for (TarEntry e; (e = r.next()) != null; ) {
        entries.add(e);
      }
    }
    assertEquals(
        List.of("Z.txt", "a.txt", "bin", "empty", "owned", "pipe", "tmp", "usr", "usr/bin",
            "usr/bin/busybox", "usr/bin/ls", "usr/bin/sh"),
        entries.stream().map(TarEntry::name).toList());
    assertEquals(new TarEntry.Hardlink("usr/bin/sh", "usr/bin/busybox", new TarEntry.Attributes(04755, 0, 0, T)), entries.get(11));
    assertEquals(new TarEntry.Symlink("bin", "usr/bin", new TarEntry.Attributes(0777, 0, 0, T)), entries.get(2));
    assertEquals(01777, entries.get(6).attributes().mode());
    assertTrue(entries.get(5) instanceof TarEntry.Fifo);
  }

  @Test
  void roundTripsThroughExtraction() throws IOException {
    Path source = tree("source");
    byte[] tar = tar(source, TarWriter.Overrides.NONE);
    Path copy = Files.createDirectory(tmp.resolve("copy"));
    SafeExtractor.into(copy).extract(new ByteArrayInputStream(tar));
    assertEquals(describe(source), describe(copy));
    // What was extracted archives to the very same bytes.
    assertArrayEquals(tar, tar(copy, TarWriter.Overrides.NONE));
  }

  /** Everything the archive promises to keep, per path. */
  private static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Map<Object, String> inodes = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(p -> !p.equals(root)).toList()) {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,ino,lastModifiedTime", NOFOLLOW);
        String rel = root.relativize(p).toString();
        String what =
            Integer.toOctalString((Integer) a.get("mode")) + " " + a.get("uid") + ":" + a.get("gid")
                + " " + ((FileTime) a.get("lastModifiedTime")).toInstant();
        if (Files.isSymbolicLink(p)) {
          what += " -> " + Files.readSymbolicLink(p);
        } else if (Files.isRegularFile(p, NOFOLLOW)) {
          what += " sha256:" + sha256(Files.readAllBytes(p));
          String first = inodes.putIfAbsent(a.get("ino").toString(), rel);
          what += " inode-of " + (first == null ? rel : first);
        }
        out.put(rel, what);
      }
    }
    return out;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}

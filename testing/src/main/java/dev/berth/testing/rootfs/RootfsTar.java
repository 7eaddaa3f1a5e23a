package dev.berth.testing.rootfs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Reproducible tars of directory trees: entries sorted by path, a fixed mtime, uid/gid 0 with names
 * root/root, modes (sticky bit included) from the files. The same tree gives the same bytes, so
 * layer digests are stable across runs and machines. Self-contained on commons-compress so fixtures
 * do not depend on the archive module under test.
 */
public final class RootfsTar {
  /** 2000-01-01T00:00:00Z: fixed, and after the epoch so no tool treats it as "unset". */
  public static final Instant MTIME = Instant.parse("2000-01-01T00:00:00Z");

  private RootfsTar() {}

  /** Writes the tree under {@code dir} (not {@code dir} itself) as an uncompressed tar. */
  public static void write(Path dir, Path out) {
    try (var os = Files.newOutputStream(out)) {
      write(dir, os);
    } catch (IOException e) {
      throw new UncheckedIOException("writing tar of " + dir + " to " + out, e);
    }
  }

  /** Writes it gzip-compressed; the gzip header carries no name and a zero mtime, for stable bytes. */
  public static void writeGz(Path dir, Path out) {
    try (var os = Files.newOutputStream(out); var gz = gzip(os)) {
      write(dir, gz);
    } catch (IOException e) {
      throw new UncheckedIOException("writing tar.gz of " + dir + " to " + out, e);
    }
  }

  public static void write(Path dir, OutputStream os) throws IOException {
    var tar = open(os);
    for (var p : sortedTree(dir)) {
      var name = dir.relativize(p).toString();
      var mode = (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      TarArchiveEntry e;
      boolean regular = false;
      if (Files.isSymbolicLink(p)) {
        e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(Files.readSymbolicLink(p).toString());
        e.setMode(0120000 | (mode & 07777));
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        e = new TarArchiveEntry(name + "/");
        e.setMode(040000 | (mode & 07777));
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        e = new TarArchiveEntry(name);
        e.setMode(0100000 | (mode & 07777));
        e.setSize(Files.size(p));
        regular = true;
      } else {
        throw new IOException("not a file, directory or symlink: " + p);
      }
      stamp(e);
      tar.putArchiveEntry(e);
      if (regular) {
        Files.copy(p, tar);
      }
      tar.closeArchiveEntry();
    }
    tar.finish();
  }

  /** A tar of just these regular files (path → content, mode 0644), parents added as 0755 dirs. */
  public static void writeFiles(Map<String, byte[]> files, Path out) {
    var entries = new TreeMap<String, byte[]>();
    for (var f : files.entrySet()) {
      var parts = f.getKey().split("/");
      var prefix = new StringBuilder();
      for (int i = 0; i < parts.length - 1; i++) {
        prefix.append(parts[i]).append('/');
        entries.putIfAbsent(prefix.toString(), null);
      }
      entries.put(f.getKey(), f.getValue());
    }
    try (var os = Files.newOutputStream(out)) {
      var tar = open(os);
      for (var en : entries.entrySet()) {
        var e = new TarArchiveEntry(en.getKey());
        if (en.getValue() == null) {
          e.setMode(040755);
        } else {
          e.setMode(0100644);
          e.setSize(en.getValue().length);
        }
        stamp(e);
        tar.putArchiveEntry(e);
        if (en.getValue() != null) {
          tar.write(en.getValue());
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("writing tar " + out, e);
    }
  }

  static GzipCompressorOutputStream gzip(OutputStream os) throws IOException {
    var params = new GzipParameters();
    params.setCompressionLevel(Deflater.DEFAULT_COMPRESSION);
    params.setModificationTime(0);
    return new GzipCompressorOutputStream(os, params);
  }

  private static TarArchiveOutputStream open(OutputStream os) {
    var tar = new TarArchiveOutputStream(os, 10240, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    return tar;
  }

  private static void stamp(TarArchiveEntry e) {
    e.setModTime(FileTime.from(MTIME));
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("root");
    e.setGroupName("root");
  }

  /** Every path below {@code dir}, sorted by its relative name (parents before children). */
  private static List<Path> sortedTree(Path dir) throws IOException {
    var all = new ArrayList<Path>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(p -> !p.equals(dir)).forEach(all::add);
    }
    all.sort((a, b) -> dir.relativize(a).toString().compareTo(dir.relativize(b).toString()));
    return all;
  }
}

package dev.berth.archive;

import dev.berth.errors.InvalidArgumentException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a tar in POSIX (PAX) format: ustar headers, with PAX extended headers where a name,
 * link target or number does not fit, and for extended attributes ({@code SCHILY.xattr.*}).
 *
 * <p>Output is a function of the entries alone: entries are written in the caller's order, user
 * and group names are left empty, times are truncated to whole seconds and no access or change
 * times are written. {@link Overrides} replace mtime, uid or gid on every entry.
 *
 * <pre>{@code
 * try (TarWriter tar = TarWriter.to(out, TarWriter.Overrides.REPRODUCIBLE)) {
 *   tar.write(new TarEntry.Directory("etc", Attributes.of(0755)));
 *   tar.write(new TarEntry.RegularFile("etc/hostname", 5, Attributes.of(0644)), in);
 * }
 * }</pre>
 */
public final class TarWriter implements Closeable {
  private static final String XATTR = "SCHILY.xattr.";

  /** Values forced onto every entry; a null component keeps the entry's own value. */
  public record Overrides(Instant mtime, Integer uid, Integer gid) {
    public static final Overrides NONE = new Overrides(null, null, null);
    /** Epoch timestamps, owned by root: equal trees give equal bytes on any machine. */
    public static final Overrides REPRODUCIBLE = new Overrides(Instant.EPOCH, 0, 0);

    TarEntry.Attributes apply(TarEntry.Attributes a) {
      return new TarEntry.Attributes(
          a.mode(),
          uid != null ? uid : a.uid(),
          gid != null ? gid : a.gid(),
          mtime != null ? mtime : a.mtime(),
          a.xattrs());
    }
  }

  private final OutputStream out;
  private final TarArchiveOutputStream tar;
  private final Overrides overrides;
  /** Set when an entry was left half written: the archive can only be abandoned. */
  private boolean broken;

  private TarWriter(OutputStream out, Overrides overrides) {
    this.out = out;
    this.tar = new TarArchiveOutputStream(out, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    this.overrides = overrides;
  }

  public static TarWriter to(OutputStream out) {
    return new TarWriter(out, Overrides.NONE);
  }

  public static TarWriter to(OutputStream out, Overrides overrides) {
    return new TarWriter(out, overrides);
  }

  /** Writes an entry without content: anything but a regular file, or an empty regular file. */
  public void write(TarEntry entry) throws IOException {
    if (entry instanceof TarEntry.RegularFile file && file.size() != 0) {
      throw new IllegalArgumentException("regular file \"" + file.name() + "\" of " + file.size() + " bytes needs its content");
    }
    tar.putArchiveEntry(header(entry));
    tar.closeArchiveEntry();
  }

  /**
   * Writes a regular file whose content is exactly {@code file.size()} bytes of {@code content}.
   *
   * @throws InvalidArgumentException if {@code content} is shorter or longer than the size
   */
  public void write(TarEntry.RegularFile file, InputStream content) throws IOException {
    tar.putArchiveEntry(header(file));
    broken = true;
    long copied = 0;
    byte[] buffer = new byte[64 * 1024];
    while (copied < file.size()) {
      int n = content.read(buffer, 0, (int) Math.min(buffer.length, file.size() - copied));
      if (n < 0) {
        throw new InvalidArgumentException(
            "writing tar entry \"" + file.name() + "\": content ended after " + copied + " of " + file.size() + " bytes");
      }
      tar.write(buffer, 0, n);
      copied += n;
    }
    if (content.read() >= 0) {
      throw new InvalidArgumentException(
          "writing tar entry \"" + file.name() + "\": content is longer than " + file.size() + " bytes");
    }
    tar.closeArchiveEntry();
    broken = false;
  }

  /** Writes the end-of-archive blocks without closing the underlying stream. */
  public void finish() throws IOException {
    tar.finish();
  }

  /**
   * Finishes the archive and closes the underlying stream; after a failed {@link #write} it only
   * closes, leaving an incomplete archive rather than one that looks whole.
   */
  @Override
  public void close() throws IOException {
    if (broken) {
      out.close();
    } else {
      tar.close();
    }
  }

  private TarArchiveEntry header(TarEntry entry) {
    String name = TarPaths.normalize(entry.name());
    TarEntry.Attributes a = overrides.apply(entry.attributes());
    TarArchiveEntry h =
        switch (entry) {
          case TarEntry.RegularFile f -> {
            var e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            e.setSize(f.size());
            yield e;
          }
          case TarEntry.Directory d ->
              new TarArchiveEntry(name.isEmpty() ? "./" : name + "/", TarConstants.LF_DIR, true);
          case TarEntry.Symlink s -> link(name, TarConstants.LF_SYMLINK, s.target());
          case TarEntry.Hardlink l ->
              link(name, TarConstants.LF_LINK, TarPaths.normalizeLinkTarget(name, l.target()));
          case TarEntry.Device d -> {
            var e = new TarArchiveEntry(name, d.block() ? TarConstants.LF_BLK : TarConstants.LF_CHR, true);
            e.setDevMajor(d.major());
            e.setDevMinor(d.minor());
            yield e;
          }
          case TarEntry.Fifo f -> new TarArchiveEntry(name, TarConstants.LF_FIFO, true);
        };
    h.setMode(a.mode());
    h.setUserId(Integer.toUnsignedLong(a.uid()));
    h.setGroupId(Integer.toUnsignedLong(a.gid()));
    h.setUserName("");
    h.setGroupName("");
    h.setLastModifiedTime(FileTime.from(a.mtime().truncatedTo(ChronoUnit.SECONDS)));
    a.xattrs().forEach((k, v) -> h.addPaxHeader(XATTR + k, v));
    return h;
  }

  private static TarArchiveEntry link(String name, byte flag, String target) {
    var e = new TarArchiveEntry(name, flag, true);
    e.setLinkName(target);
    return e;
  }
}

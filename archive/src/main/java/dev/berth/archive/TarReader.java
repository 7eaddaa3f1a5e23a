package dev.berth.archive;

import dev.berth.errors.InvalidArgumentException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Reads a tar stream (ustar, PAX and GNU long names) entry by entry, checking every name with
 * {@link TarPaths} as it goes: an entry that would land outside the archive root fails the read
 * with an {@link InvalidArgumentException} naming it.
 *
 * <pre>{@code
 * try (TarReader tar = TarReader.of(Compression.decompressed(in))) {
 *   for (TarEntry e; (e = tar.next()) != null; ) {
 *     if (e.name().equals("manifest.json")) manifest = tar.content().readAllBytes();
 *   }
 * }
 * }</pre>
 *
 * <p>The stream is not decompressed here; wrap it with {@link Compression#decompressed} first.
 * Malformed headers and truncated data are {@link InvalidArgumentException}s; failures of the
 * underlying stream stay {@link IOException}s.
 */
public final class TarReader implements Closeable {
  private static final String XATTR = "SCHILY.xattr.";

  private final SourceStream source;
  private final TarArchiveInputStream tar;
  private final TarPaths paths = new TarPaths();
  private TarEntry current;

  private TarReader(InputStream in) {
    this.source = new SourceStream(in);
    this.tar = new TarArchiveInputStream(source);
  }

  public static TarReader of(InputStream tar) {
    return new TarReader(tar);
  }

  /** Advances to the next entry, skipping the rest of the current one; null at the end. */
  public TarEntry next() throws IOException {
    TarArchiveEntry raw;
    try {
      raw = tar.getNextEntry();
      while (raw != null && raw.isGlobalPaxHeader()) {
        raw = tar.getNextEntry(); // e.g. git archive's pax_global_header: not a file
      }
    } catch (IOException e) {
      throw translate(e, current == null ? "reading tar header" : "reading tar after entry \"" + current.name() + "\"");
    }
    if (raw == null) {
      current = null;
      return null;
    }
    TarEntry entry = convert(raw);
    paths.admit(entry);
    current = entry;
    return entry;
  }

  /**
   * The current entry's content: its bytes for a regular file, nothing for other kinds. Valid
   * until {@link #next}; closing it does not close the reader.
   */
  public InputStream content() {
    if (!(current instanceof TarEntry.RegularFile file)) {
      return InputStream.nullInputStream();
    }
    String action = "reading tar entry \"" + file.name() + "\"";
    return new InputStream() {
      @Override
      public int read() throws IOException {
        try {
          return tar.read();
        } catch (IOException e) {
          throw translate(e, action);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return tar.read(b, off, len);
        } catch (IOException e) {
          throw translate(e, action);
        }
      }
    };
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }

  private IOException translate(IOException e, String action) {
    if (source.threw(e)) {
      return e;
    }
    throw new InvalidArgumentException(action + ": malformed or truncated tar (" + e.getMessage() + ")", e);
  }

  private static TarEntry convert(TarArchiveEntry raw) {
    String rawName = raw.getName();
    String name = TarPaths.normalize(rawName);
    long uid = raw.getLongUserId();
    long gid = raw.getLongGroupId();
    if (uid < 0 || uid > 0xffff_ffffL || gid < 0 || gid > 0xffff_ffffL) {
      throw new InvalidArgumentException("tar entry \"" + rawName + "\" has owner " + uid + ":" + gid + " out of range");
    }
    Map<String, String> xattrs = new TreeMap<>();
    raw.getExtraPaxHeaders().forEach((k, v) -> {
      if (k.startsWith(XATTR)) {
        xattrs.put(k.substring(XATTR.length()), v);
      }
    });
    var attributes =
        new TarEntry.Attributes(
            raw.getMode() & 07777, (int) uid, (int) gid, raw.getLastModifiedTime().toInstant())
            .withXattrs(xattrs);
    byte flag = raw.getLinkFlag();
    return switch (flag) {
      case TarConstants.LF_SYMLINK -> new TarEntry.Symlink(name, raw.getLinkName(), attributes);
      case TarConstants.LF_LINK ->
          new TarEntry.Hardlink(name, TarPaths.normalizeLinkTarget(rawName, raw.getLinkName()), attributes);
      case TarConstants.LF_DIR -> new TarEntry.Directory(name, attributes);
      case TarConstants.LF_CHR, TarConstants.LF_BLK ->
          new TarEntry.Device(name, flag == TarConstants.LF_BLK, raw.getDevMajor(), raw.getDevMinor(), attributes);
      case TarConstants.LF_FIFO -> new TarEntry.Fifo(name, attributes);
      case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM, TarConstants.LF_CONTIG ->
          // Pre-POSIX tars mark directories only by a trailing slash.
          rawName.endsWith("/") && raw.getSize() == 0
              ? new TarEntry.Directory(name, attributes)
              : new TarEntry.RegularFile(name, raw.getSize(), attributes);
      default ->
          throw new InvalidArgumentException(
              "tar entry \"" + rawName + "\" has unsupported type '" + (char) flag + "'");
    };
  }
}

package dev.berth.testing.tar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds small tars in memory for tests. Names and link targets are written verbatim, never
 * normalised, so that tests can build hostile archives ("../x", "/etc/passwd", links that climb
 * out). Entries come out in the order added, owned by root and dated at the epoch, so equal
 * builders give equal bytes.
 *
 * <pre>{@code
 * byte[] tar = new TarBuilder().dir("etc").file("etc/hostname", "box\n").symlink("x", "/etc").build();
 * }</pre>
 */
public final class TarBuilder {
  private record Item(String name, byte flag, byte[] content, int mode, String target, int uid, int gid) {}

  private final List<Item> items = new ArrayList<>();

  public TarBuilder file(String name, byte[] content) {
    return file(name, content, 0644);
  }

  public TarBuilder file(String name, byte[] content, int mode) {
    return add(new Item(name, TarConstants.LF_NORMAL, content.clone(), mode, null, 0, 0));
  }

  /** A file holding {@code text} in UTF-8. */
  public TarBuilder file(String name, String text) {
    return file(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A file owned by {@code uid:gid}. */
  public TarBuilder file(String name, byte[] content, int mode, int uid, int gid) {
    return add(new Item(name, TarConstants.LF_NORMAL, content.clone(), mode, null, uid, gid));
  }

  public TarBuilder dir(String name) {
    return dir(name, 0755);
  }

  public TarBuilder dir(String name, int mode) {
    return add(new Item(name, TarConstants.LF_DIR, new byte[0], mode, null, 0, 0));
  }

  public TarBuilder symlink(String name, String target) {
    return add(new Item(name, TarConstants.LF_SYMLINK, new byte[0], 0777, target, 0, 0));
  }

  public TarBuilder hardlink(String name, String target) {
    return add(new Item(name, TarConstants.LF_LINK, new byte[0], 0644, target, 0, 0));
  }

  public TarBuilder fifo(String name) {
    return add(new Item(name, TarConstants.LF_FIFO, new byte[0], 0644, null, 0, 0));
  }

  /** An OCI whiteout deleting {@code name} ("a/b" adds the empty file "a/.wh.b"). */
  public TarBuilder whiteout(String name) {
    int slash = name.lastIndexOf('/');
    return file(name.substring(0, slash + 1) + ".wh." + name.substring(slash + 1), new byte[0]);
  }

  /** An OCI opaque-directory marker in {@code dir}. */
  public TarBuilder opaque(String dir) {
    return file((dir.isEmpty() || dir.endsWith("/") ? dir : dir + "/") + ".wh..wh..opq", new byte[0]);
  }

  private TarBuilder add(Item item) {
    items.add(item);
    return this;
  }

  public byte[] build() {
    var bytes = new ByteArrayOutputStream();
    try (var tar = new TarArchiveOutputStream(bytes, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Item item : items) {
        // preserveAbsolutePath = true: commons-compress would otherwise strip a leading "/".
        var entry = new TarArchiveEntry(item.name(), item.flag(), true);
        entry.setMode(item.mode());
        entry.setUserId(item.uid());
        entry.setGroupId(item.gid());
        entry.setUserName("");
        entry.setGroupName("");
        entry.setLastModifiedTime(FileTime.from(Instant.EPOCH));
        if (item.target() != null) {
          entry.setLinkName(item.target());
        }
        entry.setSize(item.content().length);
        tar.putArchiveEntry(entry);
        tar.write(item.content());
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("building tar in memory", e);
    }
    return bytes.toByteArray();
  }

  public byte[] buildGzip() {
    var bytes = new ByteArrayOutputStream();
    try (var gzip = new GZIPOutputStream(bytes)) {
      gzip.write(build());
    } catch (IOException e) {
      throw new UncheckedIOException("gzipping tar in memory", e);
    }
    return bytes.toByteArray();
  }
}

package dev.berth.archive;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One tar entry's header, by kind. Names are normalised archive paths ("etc/passwd", never
 * "./etc/passwd" or "etc/"), the root being "". A hard link's target is a normalised archive path
 * too; a symbolic link's target is kept as written, since it is data interpreted in the container.
 */
public sealed interface TarEntry {
  String name();

  Attributes attributes();

  /** A regular file of {@code size} bytes; its content follows the header. */
  record RegularFile(String name, long size, Attributes attributes) implements TarEntry {
    public RegularFile {
      if (size < 0) {
        throw new IllegalArgumentException("negative size " + size + " for " + name);
      }
    }
  }

  record Directory(String name, Attributes attributes) implements TarEntry {}

  record Symlink(String name, String target, Attributes attributes) implements TarEntry {}

  /** A second name for the earlier entry {@code target}. */
  record Hardlink(String name, String target, Attributes attributes) implements TarEntry {}

  record Device(String name, boolean block, int major, int minor, Attributes attributes)
      implements TarEntry {}

  record Fifo(String name, Attributes attributes) implements TarEntry {}

  /**
   * What a header says besides name and kind. {@code mode} holds permission bits including
   * setuid/setgid/sticky (07777), never the file-type bits. Extended attributes are kept sorted so
   * that writing them is reproducible.
   */
  record Attributes(int mode, int uid, int gid, Instant mtime, SortedMap<String, String> xattrs) {
    public Attributes {
      if ((mode & ~07777) != 0) {
        throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits beyond 07777");
      }
      xattrs = Collections.unmodifiableSortedMap(new TreeMap<>(xattrs));
    }

    public Attributes(int mode, int uid, int gid, Instant mtime) {
      this(mode, uid, gid, mtime, Collections.emptySortedMap());
    }

    /** Owned by root, dated at the epoch: the usual choice for reproducible archives. */
    public static Attributes of(int mode) {
      return new Attributes(mode, 0, 0, Instant.EPOCH);
    }

    public Attributes withOwner(int uid, int gid) {
      return new Attributes(mode, uid, gid, mtime, xattrs);
    }

    public Attributes withMtime(Instant mtime) {
      return new Attributes(mode, uid, gid, mtime, xattrs);
    }

    public Attributes withXattrs(Map<String, String> xattrs) {
      return new Attributes(mode, uid, gid, mtime, new TreeMap<>(xattrs));
    }
  }
}

package dev.berth.snapshot;

import dev.berth.archive.TarEntry;
import dev.berth.archive.TarWriter;
import dev.berth.archive.Whiteouts;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The changes of a snapshot against its parent, as an uncompressed OCI layer tar: what
 * {@code docker commit} stores and what a build's RUN step adds. Entries are sorted (a directory
 * before its children), so equal trees give equal bytes.
 *
 * <ul>
 *   <li>overlay: the snapshot's upperdir is the change set: its 0/0 character devices become
 *       {@code .wh.NAME} whiteouts, a directory with {@code trusted.overlay.opaque=y} is followed
 *       by {@code .wh..wh..opq}, and overlay's own {@code trusted.overlay.*} xattrs are dropped;
 *   <li>copy: the snapshot's tree is compared with its parent's; added or changed entries (type,
 *       mode, owner, size, mtime, link target, device, xattrs) are written with their parent
 *       directories, deleted ones as whiteouts.
 * </ul>
 *
 * <pre>{@code
 * // after RUN echo "myfile" > /tmp/myfile.txt in the active snapshot "build-1":
 * try (OutputStream out = Files.newOutputStream(layerTar)) {
 *   Differ.of(snapshotter).writeDiff("build-1", out);   // tmp/, tmp/myfile.txt
 * }
 * }</pre>
 *
 * <p>The snapshot must not change while it is read: pause or stop its container first.
 */
public final class Differ {
  private static final String OVERLAY_XATTRS = "trusted.overlay.";
  private static final String OPAQUE_XATTR = "trusted.overlay.opaque";
  private static final String ATTRIBUTES = "unix:mode,uid,gid,ino,dev,nlink,rdev,size,lastModifiedTime";
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFIFO = 0010000;

  /** What a diff holds: entries written and content bytes. */
  public record Summary(long entries, long bytes) {}

  private final StoredSnapshotter snapshotter;

  private Differ(StoredSnapshotter snapshotter) {
    this.snapshotter = snapshotter;
  }

  /** A differ for the snapshots of {@code snapshotter} (an overlay or copy snapshotter). */
  public static Differ of(Snapshotter snapshotter) {
    if (!(snapshotter instanceof StoredSnapshotter s)) {
      throw new InvalidArgumentException("no differ for snapshotter " + snapshotter.getClass().getName());
    }
    return new Differ(s);
  }

  /**
   * Writes the changes of snapshot {@code key} (active or committed) against its parent to
   * {@code out} as a complete tar; leaves {@code out} open.
   */
  public Summary writeDiff(String key, OutputStream out) {
    return writeDiff(key, out, null);
  }

  /**
   * As {@link #writeDiff(String, OutputStream)}, with every entry's mtime clamped to at most
   * {@code mtimeNotAfter} (older times are kept), as BuildKit's {@code rewrite-timestamp} does
   * for SOURCE_DATE_EPOCH: the same changes made at different times give the same bytes. A null
   * {@code mtimeNotAfter} keeps the real times.
   */
  public Summary writeDiff(String key, OutputStream out, Instant mtimeNotAfter) {
    var info = snapshotter.stat(key).orElseThrow(
        () -> new dev.berth.errors.NotFoundException("diffing snapshot " + key + ": no such snapshot"));
    if (info.kind() == SnapshotInfo.Kind.VIEW) {
      throw new FailedPreconditionException("diffing snapshot " + key + ": a view has no changes");
    }
    Path upper = snapshotter.upperDir(key);
    Path parent = snapshotter.parentUpperDir(key);
    try {
      TarWriter tar = TarWriter.to(out);
      Run run = new Run(tar, upper, mtimeNotAfter);
      if (snapshotter instanceof OverlaySnapshotter) {
        run.overlay(upper, "");
      } else {
        run.compare(parent, upper, "");
      }
      tar.finish();
      return new Summary(run.entries, run.bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("diffing snapshot " + key + ": " + e.getMessage(), e);
    }
  }

  /** One file's metadata, read without following links. */
  private record Stat(int type, int mode, int uid, int gid, long dev, long ino, int nlink, long rdev, long size,
      Instant mtime) {
    static Stat of(Path p) throws IOException {
      Map<String, Object> a;
      try {
        a = Files.readAttributes(p, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return null;
      }
      int mode = (Integer) a.get("mode");
      return new Stat(mode & S_IFMT, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
          (Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("nlink"), (Long) a.get("rdev"),
          (Long) a.get("size"), ((FileTime) a.get("lastModifiedTime")).toInstant());
    }

    boolean isWhiteoutDevice() {
      return type == S_IFCHR && rdev == 0;
    }
  }

  private record Inode(long dev, long ino) {}

  private static final class Run {
    private final TarWriter tar;
    private final Path afterRoot;
    private final Instant mtimeNotAfter;
    private final Map<Inode, String> linked = new HashMap<>();
    /** Directories already written, so parents are written once and before their children. */
    private final TreeSet<String> writtenDirs = new TreeSet<>();
    long entries;
    long bytes;

    Run(TarWriter tar, Path afterRoot, Instant mtimeNotAfter) {
      this.tar = tar;
      this.afterRoot = afterRoot;
      this.mtimeNotAfter = mtimeNotAfter;
    }

    // ---- overlay: the upperdir is the diff ----

    void overlay(Path dir, String prefix) throws IOException {
      // Sorted by the names written, so that whiteouts take their own place in the order.
      TreeMap<String, Stat> children = new TreeMap<>();
      Map<String, String> names = new HashMap<>();
      for (String name : sortedNames(dir)) {
        Stat s = Stat.of(dir.resolve(name));
        if (s != null) {
          String written = s.isWhiteoutDevice() ? Whiteouts.PREFIX + name : name;
          children.put(written, s);
          names.put(written, name);
        }
      }
      for (var child : children.entrySet()) {
        String name = names.get(child.getKey());
        Stat s = child.getValue();
        Path p = dir.resolve(name);
        String rel = join(prefix, name);
        if (s.isWhiteoutDevice()) {
          write(new TarEntry.RegularFile(Whiteouts.whiteoutFor(rel), 0,
              new TarEntry.Attributes(0, s.uid(), s.gid(), s.mtime())), null);
          continue;
        }
        write(entryFor(p, rel, s, xattrs(p)), p);
        if (s.type() == S_IFDIR) {
          byte[] opaque = Syscalls.lgetxattr(p, OPAQUE_XATTR);
          if (opaque != null && new String(opaque, StandardCharsets.UTF_8).equals("y")) {
            write(new TarEntry.RegularFile(join(rel, Whiteouts.OPAQUE), 0,
                new TarEntry.Attributes(0, s.uid(), s.gid(), s.mtime())), null);
          }
          overlay(p, rel);
        }
      }
    }

    // ---- copy: compare two whole trees ----

    void compare(Path before, Path after, String prefix) throws IOException {
      TreeSet<String> all = new TreeSet<>(sortedNames(after));
      if (before != null) {
        all.addAll(sortedNames(before));
      }
      // Sorted by the names written: a deleted NAME is written as .wh.NAME.
      TreeMap<String, String> byWritten = new TreeMap<>();
      for (String name : all) {
        boolean deleted = !Files.exists(after.resolve(name), LinkOption.NOFOLLOW_LINKS);
        byWritten.put(deleted ? Whiteouts.PREFIX + name : name, name);
      }
      for (String name : byWritten.values()) {
        String rel = join(prefix, name);
        Path a = after.resolve(name);
        Path b = before == null ? null : before.resolve(name);
        Stat sa = Stat.of(a);
        Stat sb = b == null ? null : Stat.of(b);
        if (sa == null) {
          if (sb != null) {
            parents(rel);
            write(new TarEntry.RegularFile(Whiteouts.whiteoutFor(rel), 0, TarEntry.Attributes.of(0)), null);
          }
          continue;
        }
        Map<String, String> xa = xattrs(a);
        boolean changed = sb == null || changed(a, sa, xa, b, sb);
        if (changed) {
          parents(rel);
          write(entryFor(a, rel, sa, xa), a);
          if (sa.type() == S_IFDIR) {
            writtenDirs.add(rel);
          }
        }
        if (sa.type() == S_IFDIR) {
          compare(sb != null && sb.type() == S_IFDIR ? b : null, a, rel);
        }
      }
    }

    private boolean changed(Path a, Stat sa, Map<String, String> xa, Path b, Stat sb) throws IOException {
      if (sa.type() != sb.type() || sa.mode() != sb.mode() || sa.uid() != sb.uid() || sa.gid() != sb.gid()
          || !xa.equals(xattrs(b))) {
        return true;
      }
      return switch (sa.type()) {
        case S_IFDIR -> !sa.mtime().equals(sb.mtime());
        case S_IFLNK -> !Files.readSymbolicLink(a).equals(Files.readSymbolicLink(b));
        case S_IFCHR, S_IFBLK -> sa.rdev() != sb.rdev();
        case S_IFREG -> sa.size() != sb.size() || !sa.mtime().equals(sb.mtime())
            // A whole-second mtime may come from a tar, where an edit within the same second is
            // invisible: compare the bytes.
            || (sa.mtime().getNano() == 0 && !sameContent(a, b));
        default -> !sa.mtime().equals(sb.mtime());
      };
    }

    /** Writes the directories above {@code rel} that are not written yet, outermost first. */
    private void parents(String rel) throws IOException {
      String parent = parentOf(rel);
      if (parent.isEmpty() || writtenDirs.contains(parent)) {
        return;
      }
      parents(parent);
      Path p = afterRoot.resolve(parent);
      Stat s = Stat.of(p);
      write(entryFor(p, parent, s, xattrs(p)), p);
      writtenDirs.add(parent);
    }

    // ---- writing ----

    private TarEntry entryFor(Path p, String rel, Stat s, Map<String, String> x) throws IOException {
      TarEntry.Attributes a = attributes(s, x);
      return switch (s.type()) {
        case S_IFDIR -> new TarEntry.Directory(rel, a);
        case S_IFREG -> {
          if (s.nlink() > 1) {
            String first = linked.putIfAbsent(new Inode(s.dev(), s.ino()), rel);
            if (first != null) {
              yield new TarEntry.Hardlink(rel, first, a);
            }
          }
          yield new TarEntry.RegularFile(rel, s.size(), a);
        }
        case S_IFLNK -> new TarEntry.Symlink(rel, Files.readSymbolicLink(p).toString(), a);
        case S_IFCHR, S_IFBLK -> new TarEntry.Device(rel, s.type() == S_IFBLK, major(s.rdev()), minor(s.rdev()), a);
        case S_IFIFO -> new TarEntry.Fifo(rel, a);
        default -> null; // sockets are not archived
      };
    }

    private void write(TarEntry e, Path source) throws IOException {
      if (e == null) {
        return;
      }
      entries++;
      if (mtimeNotAfter != null && e.attributes().mtime().isAfter(mtimeNotAfter)) {
        e = withMtime(e, mtimeNotAfter);
      }
      if (e instanceof TarEntry.RegularFile f && f.size() > 0) {
        try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
          tar.write(f, in);
        }
        bytes += f.size();
      } else {
        tar.write(e);
      }
    }
  }

  private static TarEntry withMtime(TarEntry e, Instant mtime) {
    var o = e.attributes();
    var a = new TarEntry.Attributes(o.mode(), o.uid(), o.gid(), mtime, o.xattrs());
    return switch (e) {
      case TarEntry.RegularFile f -> new TarEntry.RegularFile(f.name(), f.size(), a);
      case TarEntry.Directory d -> new TarEntry.Directory(d.name(), a);
      case TarEntry.Symlink l -> new TarEntry.Symlink(l.name(), l.target(), a);
      case TarEntry.Hardlink h -> new TarEntry.Hardlink(h.name(), h.target(), a);
      case TarEntry.Device d -> new TarEntry.Device(d.name(), d.block(), d.major(), d.minor(), a);
      case TarEntry.Fifo f -> new TarEntry.Fifo(f.name(), a);
    };
  }

  private static TarEntry.Attributes attributes(Stat s, Map<String, String> xattrs) {
    return new TarEntry.Attributes(s.mode(), s.uid(), s.gid(), s.mtime()).withXattrs(xattrs);
  }

  /** The xattrs an image layer carries: all but overlay's own bookkeeping. */
  private static Map<String, String> xattrs(Path p) throws IOException {
    Map<String, String> x = new TreeMap<>();
    for (String name : Syscalls.llistxattr(p)) {
      if (name.startsWith(OVERLAY_XATTRS)) {
        continue;
      }
      byte[] v = Syscalls.lgetxattr(p, name);
      if (v != null) {
        // TarEntry keeps xattr values as text, which the extractor writes back as UTF-8.
        x.put(name, new String(v, StandardCharsets.UTF_8));
      }
    }
    return x;
  }

  private static List<String> sortedNames(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static boolean sameContent(Path a, Path b) throws IOException {
    try (InputStream ia = Files.newInputStream(a, LinkOption.NOFOLLOW_LINKS);
        InputStream ib = Files.newInputStream(b, LinkOption.NOFOLLOW_LINKS)) {
      byte[] ba = new byte[1 << 16];
      byte[] bb = new byte[1 << 16];
      while (true) {
        int na = ia.readNBytes(ba, 0, ba.length);
        int nb = ib.readNBytes(bb, 0, bb.length);
        if (na != nb || !Arrays.equals(ba, 0, na, bb, 0, nb)) {
          return false;
        }
        if (na == 0) {
          return true;
        }
      }
    }
  }

  private static String join(String dir, String base) {
    return dir.isEmpty() ? base : dir + "/" + base;
  }

  private static String parentOf(String rel) {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? "" : rel.substring(0, slash);
  }

  private static int major(long dev) {
    return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
  }

  private static int minor(long dev) {
    return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
  }
}

package dev.berth.archive;

import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Extracts a tar stream into a directory without ever writing outside it.
 *
 * <p>Names are checked by {@link TarReader}. On disk, every parent directory of an entry is
 * resolved inside the root, following symlinks already there (from this archive or from layers
 * extracted before) with the root standing in for "/": absolute link targets stay inside, and a
 * relative target climbing above the root fails the extraction. An entry's own last component is
 * never followed: whatever is there is replaced, so writing a file never writes through a link.
 * Hard links must point at something already inside the root.
 *
 * <p>With {@link Options#applyWhiteouts}, the archive is an OCI layer applied over what the
 * directory holds: {@code .wh.NAME} deletes NAME, {@code .wh..wh..opq} empties its directory of
 * everything this layer did not write; neither marker is written. Without it they are ordinary
 * files.
 *
 * <p>Modes (setuid/setgid/sticky included), mtimes and extended attributes are restored;
 * ownership with {@link Options#preserveOwnership} (the default when running as root). Device
 * nodes need root and are skipped, and reported, otherwise. Directory modes and mtimes are set
 * at the end, so that a read-only directory can still receive its children.
 *
 * <pre>{@code
 * SafeExtractor.into(rootfs, SafeExtractor.Options.layer()).extract(Compression.decompressed(in));
 * }</pre>
 */
public final class SafeExtractor {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  public record Options(boolean applyWhiteouts, boolean preserveOwnership) {
    /** A plain archive: whiteouts are files; owners kept when running as root. */
    public static Options defaults() {
      return new Options(false, RUNNING_AS_ROOT);
    }

    /** An image layer: whiteouts applied; owners kept when running as root. */
    public static Options layer() {
      return new Options(true, RUNNING_AS_ROOT);
    }

    public Options withWhiteouts(boolean apply) {
      return new Options(apply, preserveOwnership);
    }

    public Options withOwnership(boolean preserve) {
      return new Options(applyWhiteouts, preserve);
    }
  }

  /** What an extraction did: entries read, content bytes written, entries it could not create. */
  public record Summary(long entries, long bytes, List<String> skipped) {
    public Summary {
      skipped = List.copyOf(skipped);
    }
  }

  static final boolean RUNNING_AS_ROOT = runningAsRoot();

  private final Path root;
  private final Options options;

  private SafeExtractor(Path root, Options options) {
    this.root = root;
    this.options = options;
  }

  public static SafeExtractor into(Path root) {
    return new SafeExtractor(root, Options.defaults());
  }

  public static SafeExtractor into(Path root, Options options) {
    return new SafeExtractor(root, options);
  }

  /**
   * Extracts the uncompressed tar {@code tar} (see {@link Compression#decompressed}); does not
   * close it.
   *
   * @throws InvalidArgumentException if an entry would land outside the root or the tar is malformed
   */
  public Summary extract(InputStream tar) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new InvalidArgumentException("extracting into " + root + ": not a directory");
    }
    return new Run(root.toRealPath()).extract(tar);
  }

  private record Deferred(String rel, TarEntry.Attributes attributes) {}

  /** State of one extraction: what this archive wrote, and directory attributes still to set. */
  private final class Run {
    private final Path root;
    private final Set<String> written = new HashSet<>();
    private final Set<String> keep = new HashSet<>();
    private final List<Deferred> directories = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private long entries;
    private long bytes;

    Run(Path root) {
      this.root = root;
    }

    Summary extract(InputStream in) throws IOException {
      TarReader tar = TarReader.of(in);
      for (TarEntry entry; (entry = tar.next()) != null; ) {
        entries++;
        try {
          apply(entry, tar.content());
        } catch (IOException e) {
          throw new IOException("extracting tar entry \"" + entry.name() + "\" into " + root + ": " + e, e);
        }
      }
      for (Deferred d : directories.reversed()) {
        finishDirectory(d);
      }
      return new Summary(entries, bytes, skipped);
    }

    private Path at(String rel) {
      return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** Resolves {@code path} on disk inside the root; see {@link TarPaths#resolve}. */
    private String resolve(String entry, String path, boolean followLast) throws IOException {
      return TarPaths.resolve(
          entry,
          path,
          rel -> Files.isSymbolicLink(at(rel)) ? Files.readSymbolicLink(at(rel)).toString() : null,
          followLast);
    }

    /** Creates the (resolved, symlink-free) directory {@code rel} and any missing parents. */
    private Path directory(String entry, String rel) throws IOException {
      Path dir = at(rel);
      if (!Files.isDirectory(dir, NOFOLLOW)) {
        try {
          Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
          throw new InvalidArgumentException(
              "tar entry \"" + entry + "\": \"" + e.getFile() + "\" is in the way of its directory", e);
        }
      }
      return dir;
    }

    private void apply(TarEntry entry, InputStream content) throws IOException {
      String name = entry.name();
      if (name.isEmpty()) {
        return; // the root: the caller's directory keeps its own mode and owner
      }
      if (options.applyWhiteouts() && Whiteouts.isWhiteout(name)) {
        whiteout(name);
        return;
      }
      String parent = resolve(name, TarPaths.parent(name), true);
      directory(name, parent);
      String rel = TarPaths.join(parent, TarPaths.base(name));
      Path dest = at(rel);
      BasicFileAttributes existing = lstat(dest);
      boolean keepDirectory = entry instanceof TarEntry.Directory && existing != null && existing.isDirectory();
      if (existing != null && !keepDirectory) {
        delete(dest);
      }
      markWritten(rel);
      switch (entry) {
        case TarEntry.RegularFile f -> {
          try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            bytes += content.transferTo(out);
          }
          restore(dest, f.attributes());
        }
        case TarEntry.Directory d -> {
          if (!keepDirectory) {
            Files.createDirectory(dest);
          }
          own(dest, d.attributes());
          xattrs(dest, d.attributes());
          directories.add(new Deferred(rel, d.attributes()));
        }
        case TarEntry.Symlink s -> {
          Files.createSymbolicLink(dest, Path.of(s.target()));
          own(dest, s.attributes());
          times(dest, s.attributes());
        }
        case TarEntry.Hardlink l -> {
          Path target = at(resolve(name, l.target(), false));
          BasicFileAttributes t = lstat(target);
          if (t == null || t.isDirectory()) {
            throw new InvalidArgumentException(
                "tar entry \"" + name + "\": hard link target \"" + l.target() + "\" "
                    + (t == null ? "does not exist" : "is a directory"));
          }
          Files.createLink(dest, target);
        }
        case TarEntry.Device d -> {
          if (!RUNNING_AS_ROOT) {
            skipped.add(name);
            return;
          }
          Native.mknod(dest, (d.block() ? Native.S_IFBLK : Native.S_IFCHR) | d.attributes().mode(),
              Native.makedev(d.major(), d.minor()));
          restore(dest, d.attributes());
        }
        case TarEntry.Fifo f -> {
          Native.mknod(dest, Native.S_IFIFO | f.attributes().mode(), 0);
          restore(dest, f.attributes());
        }
      }
    }

    private void markWritten(String rel) {
      written.add(rel);
      for (String p = rel; !p.isEmpty(); p = TarPaths.parent(p)) {
        if (!keep.add(p)) {
          break;
        }
      }
    }

    private void whiteout(String name) throws IOException {
      String parent = resolve(name, TarPaths.parent(name), true);
      if (Whiteouts.isOpaque(name)) {
        directory(name, parent);
        markWritten(parent);
        prune(parent);
        return;
      }
      String deleted = Whiteouts.deleted(name);
      if (deleted == null) {
        return; // whiteout metadata such as AUFS's .wh..wh.plnk: nothing to apply
      }
      String rel = TarPaths.join(parent, TarPaths.base(deleted));
      // A whiteout hides lower layers only, never entries of its own layer (image-spec layer.md).
      if (!written.contains(rel) && lstat(at(rel)) != null) {
        delete(at(rel));
      }
    }

    /** Deletes what lies under {@code dirRel} but was not written by this archive. */
    private void prune(String dirRel) throws IOException {
      List<Path> children;
      try (Stream<Path> list = Files.list(at(dirRel))) {
        children = list.toList();
      }
      for (Path child : children) {
        String rel = TarPaths.join(dirRel, child.getFileName().toString());
        if (!keep.contains(rel)) {
          delete(child);
        } else if (Files.isDirectory(child, NOFOLLOW)) {
          prune(rel);
        }
      }
    }

    private void finishDirectory(Deferred d) throws IOException {
      // A later entry may have replaced the directory, or a parent of it, by a symlink: only
      // touch it if the same path still resolves to a directory, inside the root.
      String again;
      try {
        again = TarPaths.join(resolve(d.rel(), TarPaths.parent(d.rel()), true), TarPaths.base(d.rel()));
      } catch (InvalidArgumentException e) {
        return;
      }
      Path dir = at(again);
      if (!again.equals(d.rel()) || !Files.isDirectory(dir, NOFOLLOW)) {
        return;
      }
      chmod(dir, d.attributes().mode());
      times(dir, d.attributes());
    }

    /** Order matters: chown clears setuid bits and file capabilities, so it goes first. */
    private void restore(Path p, TarEntry.Attributes a) throws IOException {
      own(p, a);
      xattrs(p, a);
      chmod(p, a.mode());
      times(p, a);
    }

    /**
     * By path: the JDK's no-follow chmod opens the file, which blocks on a FIFO. Safe because
     * {@code p} was just created or checked and its parents are free of symlinks.
     */
    private void chmod(Path p, int mode) throws IOException {
      Files.setAttribute(p, "unix:mode", mode);
    }

    private void own(Path p, TarEntry.Attributes a) throws IOException {
      if (options.preserveOwnership()) {
        Files.setAttribute(p, "unix:uid", a.uid(), NOFOLLOW);
        Files.setAttribute(p, "unix:gid", a.gid(), NOFOLLOW);
      }
    }

    private void xattrs(Path p, TarEntry.Attributes a) throws IOException {
      for (Map.Entry<String, String> x : a.xattrs().entrySet()) {
        try {
          Native.lsetxattr(p, x.getKey(), x.getValue().getBytes(StandardCharsets.UTF_8));
        } catch (Native.ErrnoException e) {
          // Filesystems without xattrs, and unprivileged namespaces, are not errors of the archive.
          if (e.errno != Native.ENOTSUP && !(e.errno == Native.EPERM && !RUNNING_AS_ROOT)) {
            throw e;
          }
        }
      }
    }

    private void times(Path p, TarEntry.Attributes a) throws IOException {
      Native.setMtime(p, a.mtime());
    }
  }

  private static BasicFileAttributes lstat(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /** Deletes a file, link or whole directory tree, never following symlinks. */
  private static void delete(Path p) throws IOException {
    BasicFileAttributes a = lstat(p);
    if (a == null) {
      return;
    }
    if (!a.isDirectory()) {
      Files.delete(p);
      return;
    }
    Files.walkFileTree(p, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static boolean runningAsRoot() {
    try {
      // /proc/self belongs to the process's effective uid.
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}

package dev.berth.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory tree as a tar: entries in sorted order (a directory before its children), modes,
 * owners, symlinks, devices and FIFOs as found, and files sharing an inode written once then as
 * hard links to the first name. Sockets are skipped, as other archivers do. The root directory
 * itself is not an entry.
 *
 * <pre>{@code
 * DirectoryTar.of(rootfs).with(TarWriter.Overrides.REPRODUCIBLE).writeTo(out);
 * }</pre>
 */
public record DirectoryTar(Path root, TarWriter.Overrides overrides) {
  private static final String ATTRIBUTES = "unix:mode,uid,gid,ino,dev,nlink,rdev,lastModifiedTime";
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  public static DirectoryTar of(Path root) {
    return new DirectoryTar(root, TarWriter.Overrides.NONE);
  }

  public DirectoryTar with(TarWriter.Overrides overrides) {
    return new DirectoryTar(root, overrides);
  }

  /** Writes the whole archive, end blocks included, to {@code out}; leaves {@code out} open. */
  public void writeTo(OutputStream out) throws IOException {
    TarWriter tar = TarWriter.to(out, overrides);
    writeEntries(tar);
    tar.finish();
  }

  /** Appends the tree's entries to {@code tar}, e.g. after entries of the caller's own. */
  public void writeEntries(TarWriter tar) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      throw new dev.berth.errors.InvalidArgumentException("archiving " + root + ": not a directory");
    }
    walk(tar, root, "", new HashMap<>());
  }

  private record Inode(long dev, long ino) {}

  private void walk(TarWriter tar, Path dir, String prefix, Map<Inode, String> seen) throws IOException {
    List<Path> children;
    try (Stream<Path> list = Files.list(dir)) {
      // Sort by name, not by the order the filesystem returns, for reproducible output.
      children = list.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
    }
    for (Path child : children) {
      String name = TarPaths.join(prefix, child.getFileName().toString());
      Map<String, Object> a = Files.readAttributes(child, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      var attributes =
          new TarEntry.Attributes(
              mode & 07777,
              (Integer) a.get("uid"),
              (Integer) a.get("gid"),
              ((FileTime) a.get("lastModifiedTime")).toInstant());
      switch (mode & S_IFMT) {
        case 0040000 -> {
          tar.write(new TarEntry.Directory(name, attributes));
          walk(tar, child, name, seen);
        }
        case 0120000 ->
            tar.write(new TarEntry.Symlink(name, Files.readSymbolicLink(child).toString(), attributes));
        case 0100000 -> {
          Inode inode = new Inode((Long) a.get("dev"), (Long) a.get("ino"));
          String first = (Integer) a.get("nlink") > 1 ? seen.putIfAbsent(inode, name) : null;
          if (first != null) {
            tar.write(new TarEntry.Hardlink(name, first, attributes));
          } else {
            long size = Files.size(child);
            try (InputStream in = Files.newInputStream(child, LinkOption.NOFOLLOW_LINKS)) {
              tar.write(new TarEntry.RegularFile(name, size, attributes), in);
            }
          }
        }
        case Native.S_IFCHR, Native.S_IFBLK -> {
          long rdev = (Long) a.get("rdev");
          tar.write(
              new TarEntry.Device(
                  name, (mode & S_IFMT) == Native.S_IFBLK, Native.major(rdev), Native.minor(rdev), attributes));
        }
        case Native.S_IFIFO -> tar.write(new TarEntry.Fifo(name, attributes));
        case S_IFSOCK -> {}
        default -> throw new IOException("archiving " + child + ": unknown file type " + Integer.toOctalString(mode));
      }
    }
  }
}

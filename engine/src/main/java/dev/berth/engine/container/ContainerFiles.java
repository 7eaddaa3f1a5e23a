package dev.berth.engine.container;

import dev.berth.archive.SafeExtractor;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.runtime.spec.RootfsPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;

/**
 * {@code docker cp}: files of a container read and written through its mounted rootfs. Paths are
 * resolved as the container sees them, symlinks followed with the rootfs as {@code /}, so no link
 * in the container ever leads a copy outside it. The last component is not followed (a link is
 * copied as a link), as Docker does, unless the path ends in {@code /} or {@code /.}.
 */
public final class ContainerFiles {
  private final ContainerService containers;

  public ContainerFiles(ContainerService containers) {
    this.containers = containers;
  }

  /**
   * Docker's {@code PathStat}: {@code mode} in Go's {@code os.FileMode} bits (directory 1<<31,
   * symlink 1<<27), {@code linkTarget} the link's target resolved in the container.
   */
  public record Stat(String name, long size, long mode, Instant mtime, String linkTarget) {}

  public Stat stat(String container, String path) {
    Container c = containers.get(container);
    Path host = resolve(c, path);
    return statOf(c, path, host);
  }

  /** Writes a tar of {@code path} (a file, link or directory tree, under its own name) to {@code out}. */
  public void copyOut(String container, String path, OutputStream out) {
    Container c = containers.get(container);
    Path host = resolve(c, path);
    statOf(c, path, host);
    Path parent = host.getParent();
    String name = host.getFileName().toString();
    try {
      Process p = new ProcessBuilder("tar", "--numeric-owner", "-C", parent.toString(), "-cf", "-", "--", name)
          .redirectError(ProcessBuilder.Redirect.PIPE).start();
      p.getOutputStream().close();
      try (InputStream in = p.getInputStream()) {
        in.transferTo(out);
      }
      String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new UncheckedIOException(new IOException("archiving " + path + " of container " + c.shortId() + ": " + err.strip()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("archiving " + path + " of container " + c.shortId() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted archiving " + path, e);
    }
  }

  /** Extracts the tar {@code in} into directory {@code path} of the container; nothing lands outside it. */
  public void copyIn(String container, String path, InputStream in) {
    Container c = containers.get(container);
    if (c.spec().host().readOnly()) {
      throw new InvalidArgumentException("container rootfs is marked read-only");
    }
    Path host = resolveFollowing(c, path);
    if (!Files.exists(host)) {
      throw new NotFoundException("Could not find the file " + path + " in container " + container);
    }
    if (!Files.isDirectory(host)) {
      throw new InvalidArgumentException("extraction point is not a directory");
    }
    try {
      SafeExtractor.into(host, SafeExtractor.Options.defaults()).extract(in);
    } catch (IOException e) {
      throw new UncheckedIOException("extracting into " + path + " of container " + c.shortId() + ": " + e.getMessage(), e);
    }
  }

  private Stat statOf(Container c, String path, Path host) {
    if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
      throw new NotFoundException("Could not find the file " + path + " in container " + c.name());
    }
    try {
      var a = Files.readAttributes(host, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      long mode = 0;
      for (var perm : a.permissions()) {
        mode |= switch (perm) {
          case OWNER_READ -> 0400;
          case OWNER_WRITE -> 0200;
          case OWNER_EXECUTE -> 0100;
          case GROUP_READ -> 040;
          case GROUP_WRITE -> 020;
          case GROUP_EXECUTE -> 010;
          case OTHERS_READ -> 04;
          case OTHERS_WRITE -> 02;
          case OTHERS_EXECUTE -> 01;
        };
      }
      String link = "";
      if (a.isDirectory()) {
        mode |= 1L << 31;
      } else if (a.isSymbolicLink()) {
        mode |= 1L << 27;
        Path rootfs = containers.rootfsPath(c.id());
        link = "/" + rootfs.relativize(RootfsPath.resolve(rootfs, path)).toString();
      }
      return new Stat(host.getFileName().toString(), a.size(), mode, a.lastModifiedTime().toInstant(), link);
    } catch (IOException e) {
      throw new UncheckedIOException("stat of " + path + " in container " + c.shortId() + ": " + e.getMessage(), e);
    }
  }

  /** The host path of {@code path}, the last component not followed. */
  private Path resolve(Container c, String path) {
    if (path == null || path.isEmpty()) {
      throw new InvalidArgumentException("path cannot be empty");
    }
    if (path.endsWith("/") || path.endsWith("/.")) {
      return resolveFollowing(c, path);
    }
    String normal = Path.of("/").resolve(path).normalize().toString();
    if (normal.equals("/")) {
      return containers.rootfsPath(c.id());
    }
    int slash = normal.lastIndexOf('/');
    Path parent = resolveFollowing(c, normal.substring(0, Math.max(slash, 1)));
    return confined(c, parent.resolve(normal.substring(slash + 1)));
  }

  private Path resolveFollowing(Container c, String path) {
    Path rootfs = containers.rootfsPath(c.id());
    try {
      // Lexical cleaning first: '..' never climbs above the container's root.
      String clean = Path.of("/").resolve(path).normalize().toString();
      return confined(c, RootfsPath.resolve(rootfs, clean));
    } catch (IOException e) {
      throw new InvalidArgumentException("resolving " + path + " in container " + c.shortId() + ": " + e.getMessage(), e);
    }
  }

  private Path confined(Container c, Path host) {
    Path rootfs = containers.rootfsPath(c.id()).toAbsolutePath().normalize();
    Path p = host.toAbsolutePath().normalize();
    if (!p.startsWith(rootfs)) {
      throw new InvalidArgumentException("path " + host + " is outside container " + c.shortId());
    }
    return p;
  }
}

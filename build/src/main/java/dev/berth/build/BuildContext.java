package dev.berth.build;

import dev.berth.archive.Compression;
import dev.berth.archive.SafeExtractor;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a build reads files from: a directory, or a tar stream (as {@code docker build -} and the
 * API's {@code POST /build} send it, plain or compressed), unpacked into a private directory that
 * {@link #close} removes. Its {@code .dockerignore} applies to what COPY and ADD see; the
 * Dockerfile and the .dockerignore are always readable by the builder itself, excluded or not.
 *
 * <pre>{@code
 * try (BuildContext ctx = BuildContext.fromDirectory(dir)) { builder.build(request(ctx)) }
 * try (BuildContext ctx = BuildContext.fromTar(System.in, scratch)) { ... }
 * }</pre>
 */
public final class BuildContext implements AutoCloseable {
  private final Path root;
  private final Path owned;
  private final DockerIgnore ignore;

  private BuildContext(Path root, Path owned) {
    this.root = root;
    this.owned = owned;
    this.ignore = readIgnore(root);
  }

  public static BuildContext fromDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new NotFoundException("build context " + dir + " is not a directory");
    }
    try {
      return new BuildContext(dir.toRealPath(), null);
    } catch (IOException e) {
      throw new UncheckedIOException("opening build context " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Unpacks a context tar (plain, gzip or zstd) into a new directory under {@code scratch}; the
   * tar is checked entry by entry as any archive is, so it cannot write outside that directory.
   */
  public static BuildContext fromTar(InputStream tar, Path scratch) {
    Path dir;
    try {
      Files.createDirectories(scratch);
      dir = Files.createTempDirectory(scratch, "context-");
    } catch (IOException e) {
      throw new UncheckedIOException("creating a directory for the build context under " + scratch + ": " + e.getMessage(), e);
    }
    try (InputStream in = Compression.decompressed(tar)) {
      SafeExtractor.into(dir, SafeExtractor.Options.defaults()).extract(new TarEndPadding(in));
      return new BuildContext(dir.toRealPath(), dir);
    } catch (IOException | RuntimeException e) {
      deleteTree(dir);
      if (e instanceof InvalidArgumentException iae) {
        throw iae.during("reading the build context tar");
      }
      throw new InvalidArgumentException("reading the build context tar: " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  public DockerIgnore ignore() {
    return ignore;
  }

  /** The Dockerfile at {@code path} (relative to the context, "Dockerfile" by default), whether excluded or not. */
  public String readDockerfile(String path) {
    String rel = path == null || path.isEmpty() ? "Dockerfile" : path;
    Path p = root.resolve(DockerIgnore.clean("/" + rel).substring(1));
    if (!Files.isRegularFile(p)) {
      // docker accepts a lower-case dockerfile when Dockerfile is absent
      Path lower = root.resolve("dockerfile");
      if ((path == null || path.isEmpty()) && Files.isRegularFile(lower)) {
        p = lower;
      } else {
        throw new NotFoundException("failed to read dockerfile: open " + rel + ": no such file in the build context");
      }
    }
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + rel + ": " + e.getMessage(), e);
    }
  }

  SourceTree tree() {
    return new SourceTree(root, ignore, "the build context");
  }

  private static DockerIgnore readIgnore(Path root) {
    Path f = root.resolve(".dockerignore");
    if (!Files.isRegularFile(f)) {
      return DockerIgnore.NONE;
    }
    try {
      return DockerIgnore.parse(Files.readString(f, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + f + ": " + e.getMessage(), e);
    } catch (InvalidArgumentException e) {
      throw e.during("reading .dockerignore");
    }
  }

  @Override
  public void close() {
    if (owned != null) {
      deleteTree(owned);
    }
  }

  /**
   * Removes what builds left in {@code scratch} (unpacked contexts and stages) when a crash ended
   * them; call once when the daemon starts, before any build runs.
   */
  public static void deleteLeftovers(Path scratch) {
    deleteTree(scratch);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          p.toFile().setWritable(true);
        }
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + dir + ": " + e.getMessage(), e);
    }
  }
}

package dev.berth.image;

import dev.berth.archive.Compression;
import dev.berth.archive.TarPaths;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.oci.Digest;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The files of an image archive (a tar stream or an OCI layout directory), staged so that nothing
 * reaches the content store before the whole archive has been checked: small metadata files are
 * kept in memory, every other file is written to an uncommitted content writer, hashed as it goes.
 * {@link #close()} discards whatever was not committed.
 */
abstract sealed class ArchiveFiles implements AutoCloseable {
  static final Set<String> METADATA = Set.of("manifest.json", "index.json", "oci-layout", "repositories");
  private static final int MAX_ENTRIES = 100_000;

  final String source;

  ArchiveFiles(String source) {
    this.source = source;
  }

  /** A staged file: its digest and size are known, its bytes wait in a writer. */
  record Staged(ContentWriter writer, Digest digest, long size, byte[] head) {}

  abstract Optional<byte[]> metadata(String name);

  /** The staged file at {@code name}, following links inside the archive. */
  abstract Optional<Staged> blob(String name);

  /** Discards every staged file that was not committed. */
  @Override
  public abstract void close();

  static Staged stage(ContentStore content, InputStream in) throws IOException {
    ContentWriter w = content.writer();
    try {
      byte[] buf = new byte[1 << 16];
      byte[] head = null;
      for (int n; (n = in.read(buf)) > 0; ) {
        if (head == null) {
          head = java.util.Arrays.copyOf(buf, Math.min(n, 8));
        }
        w.write(buf, 0, n);
      }
      return new Staged(w, w.digest(), w.size(), head == null ? new byte[0] : head);
    } catch (IOException | RuntimeException e) {
      w.close();
      throw e;
    }
  }

  /** A tar stream (plain, gzip or zstd), read once, start to end. */
  static final class FromTar extends ArchiveFiles {
    private final Map<String, byte[]> metadata = new HashMap<>();
    private final Map<String, Staged> files = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();

    FromTar(ContentStore content, InputStream raw, String source) {
      super(source);
      try (InputStream in = Compression.decompressed(raw);
          TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
        int count = 0;
        TarPaths paths = new TarPaths();
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
          if (++count > MAX_ENTRIES) {
            throw new InvalidArgumentException("image archive " + source + " has more than " + MAX_ENTRIES + " entries");
          }
          String name = TarPaths.normalize(e.getName());
          if (e.isSymbolicLink()) {
            String dir = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
            String target = e.getLinkName().startsWith("/") ? e.getLinkName().substring(1) : dir + e.getLinkName();
            links.put(name, checked(target, "symlink " + name + " -> " + e.getLinkName()));
          } else if (e.isLink()) {
            links.put(name, checked(e.getLinkName(), "hardlink " + name + " -> " + e.getLinkName()));
          } else if (e.isFile()) {
            if (METADATA.contains(name)) {
              if (e.getSize() > Json.MAX_METADATA_BYTES) {
                throw new InvalidArgumentException("image archive " + source + ": " + name + " is " + e.getSize()
                    + " bytes, more than the limit of " + Json.MAX_METADATA_BYTES);
              }
              metadata.put(name, tar.readAllBytes());
            } else {
              Staged old = files.put(name, stage(content, tar));
              if (old != null) {
                old.writer().close();
              }
            }
          }
        }
      } catch (IOException e) {
        close();
        throw new InvalidArgumentException("reading image archive " + source + ": the tar is truncated or corrupt ("
            + e.getMessage() + ")", e);
      } catch (RuntimeException e) {
        close();
        if (e instanceof InvalidArgumentException iae && !iae.getMessage().contains(source)) {
          throw iae.during("reading image archive " + source);
        }
        throw e;
      }
    }

    private static String checked(String target, String what) {
      try {
        return TarPaths.normalize(target);
      } catch (InvalidArgumentException e) {
        throw new InvalidArgumentException(what + " points outside the archive", e);
      }
    }

    @Override
    Optional<byte[]> metadata(String name) {
      return Optional.ofNullable(metadata.get(name));
    }

    @Override
    Optional<Staged> blob(String name) {
      String n = name;
      for (int hops = 0; hops < 40 && links.containsKey(n); hops++) {
        n = links.get(n);
      }
      return Optional.ofNullable(files.get(n));
    }

    @Override
    public void close() {
      files.values().forEach(s -> s.writer().close());
    }
  }

  /** An OCI layout directory on disk; blobs are staged when asked for. */
  static final class FromDirectory extends ArchiveFiles {
    private final Path dir;
    private final ContentStore content;
    private final Map<String, Staged> staged = new HashMap<>();

    FromDirectory(ContentStore content, Path dir) {
      super(dir.toString());
      this.dir = dir.toAbsolutePath().normalize();
      this.content = content;
    }

    @Override
    Optional<byte[]> metadata(String name) {
      Path p = dir.resolve(name);
      try {
        if (!Files.isRegularFile(p)) {
          return Optional.empty();
        }
        if (Files.size(p) > Json.MAX_METADATA_BYTES) {
          throw new InvalidArgumentException(p + " is larger than the limit of " + Json.MAX_METADATA_BYTES + " bytes");
        }
        return Optional.of(Files.readAllBytes(p));
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + p + ": " + e.getMessage(), e);
      }
    }

    @Override
    Optional<Staged> blob(String name) {
      Path p = dir.resolve(TarPaths.normalize(name)).normalize();
      try {
        if (!p.toRealPath().startsWith(dir.toRealPath())) {
          throw new InvalidArgumentException("OCI layout " + dir + ": " + name + " resolves outside the layout");
        }
      } catch (java.nio.file.NoSuchFileException e) {
        return Optional.empty();
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + p + ": " + e.getMessage(), e);
      }
      Staged s = staged.get(name);
      if (s == null && Files.isRegularFile(p)) {
        try (InputStream in = Files.newInputStream(p)) {
          s = stage(content, in);
          staged.put(name, s);
        } catch (IOException e) {
          throw new UncheckedIOException("reading " + p + ": " + e.getMessage(), e);
        }
      }
      return Optional.ofNullable(s);
    }

    @Override
    public void close() {
      staged.values().forEach(s -> s.writer().close());
    }
  }

  static NotFoundException missing(String source, String what) {
    return new NotFoundException("image archive " + source + ": " + what + " is not in the archive");
  }
}

package dev.berth.build;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.content.ContentProvider;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * The build cache: for each step's cache key, the state the step left (image config and layers),
 * one small JSON file per key under {@code dir}, written atomically. A step whose key is here and
 * whose layers are all still in the content store is not run again; restoring the whole state
 * (history timestamps included) makes a fully cached rebuild give the same image ID.
 *
 * <p>A key is {@code sha256(parent key, the instruction after expansion, the content digest of
 * COPY/ADD sources)}: see {@link StepKey}. Layers live in the content store, which garbage
 * collection may empty of layers no image uses: such entries are then misses, not errors.
 */
public final class BuildCache {
  private final Path dir;

  private BuildCache(Path dir) {
    this.dir = dir;
  }

  public static BuildCache at(Path dir) {
    return new BuildCache(dir);
  }

  /** A cached step result: the config after the step and all layers of the image so far. */
  public record Entry(@JsonProperty("config") ImageConfig config, @JsonProperty("layers") List<Descriptor> layers) {
    public Entry {
      layers = List.copyOf(layers);
    }
  }

  public Optional<Entry> find(Digest key, ContentProvider content) {
    Path f = file(key);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      Entry e = Json.read(Files.readAllBytes(f), Entry.class, "build cache entry " + f, Json.MAX_METADATA_BYTES);
      for (Descriptor layer : e.layers()) {
        if (!content.contains(layer.digest())) {
          return Optional.empty();
        }
      }
      return Optional.of(e);
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // a damaged entry is a miss; the step runs and rewrites it
    }
  }

  public void put(Digest key, Entry entry) {
    write(file(key), Json.write(entry));
  }

  private Path file(Digest key) {
    return dir.resolve(key.hex() + ".json");
  }

  private static void write(Path target, byte[] bytes) {
    try {
      Files.createDirectories(target.getParent());
      Path tmp = Files.createTempFile(target.getParent(), ".entry-", ".tmp");
      try {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          var buf = java.nio.ByteBuffer.wrap(bytes);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          ch.force(true);
        }
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing build cache entry " + target + ": " + e.getMessage(), e);
    }
  }
}

package dev.berth.build;

import dev.berth.archive.Compression;
import dev.berth.archive.SafeExtractor;
import dev.berth.content.ContentStore;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stage's root filesystem unpacked into a private directory, kept in step with the stage's
 * layers: new layers are applied on top (whiteouts included), anything else re-extracts. The
 * builder reads it to copy from other stages and to see what a COPY destination already is.
 * Unpacked only when first needed, so a build that hits the cache throughout unpacks nothing.
 */
final class Rootfs implements AutoCloseable {
  private final ContentStore content;
  private final Path dir;
  private final List<Descriptor> applied = new ArrayList<>();
  private boolean exists;

  Rootfs(ContentStore content, Path dir) {
    this.content = content;
    this.dir = dir;
  }

  /** The directory holding exactly {@code layers}, applied bottom first. */
  Path at(List<Descriptor> layers) {
    try {
      boolean prefix = exists && applied.size() <= layers.size() && layers.subList(0, applied.size()).equals(applied);
      if (!prefix) {
        BuildContext.deleteTree(dir);
        Files.createDirectories(dir);
        applied.clear();
        exists = true;
      }
      for (Descriptor layer : layers.subList(applied.size(), layers.size())) {
        try (InputStream in = Compression.decompressed(content.open(layer.digest()))) {
          SafeExtractor.into(dir, SafeExtractor.Options.layer()).extract(in);
        } catch (InvalidArgumentException e) {
          throw e.during("unpacking layer " + layer.digest());
        }
        applied.add(layer);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("unpacking a stage's layers into " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    BuildContext.deleteTree(dir);
  }
}

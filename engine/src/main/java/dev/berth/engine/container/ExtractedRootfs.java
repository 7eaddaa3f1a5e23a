package dev.berth.engine.container;

import dev.berth.archive.Compression;
import dev.berth.archive.SafeExtractor;
import dev.berth.content.ContentProvider;
import dev.berth.image.Image;
import dev.berth.oci.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The plain-copy root filesystem: each container gets the image's layers unpacked, in order, with
 * whiteouts applied, into a directory of its own. Slow and big, but needs no overlayfs and no
 * mounts; the snapshotter replaces it where overlayfs works.
 */
public final class ExtractedRootfs implements RootfsProvider {
  private final ContentProvider content;

  public ExtractedRootfs(ContentProvider content) {
    this.content = content;
  }

  @Override
  public void prepare(String key, Image image, Path target) {
    try {
      Files.createDirectories(target);
      for (Descriptor layer : image.manifest().layers()) {
        try (InputStream raw = content.open(layer.digest()); InputStream tar = Compression.decompressed(raw)) {
          SafeExtractor.into(target, SafeExtractor.Options.layer()).extract(tar);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unpacking image " + image.id().shortHex() + " for " + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void mount(String key, Path target) {}

  @Override
  public void unmount(String key, Path target) {}

  @Override
  public void remove(String key, Path target) {
    ContainerStore.deleteTree(target);
  }

  @Override
  public String name() {
    return "vfs";
  }
}

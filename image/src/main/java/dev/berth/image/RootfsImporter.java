package dev.berth.image;

import dev.berth.archive.Compression;
import dev.berth.archive.TarReader;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.errors.BerthException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.ContainerConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Makes a single-layer image from a root filesystem tar (plain, gzip or zstd), as {@code docker import}.
 * The layer is stored uncompressed, so its digest is its diff_id. Every entry is checked on the way:
 * a tar that escapes its root is refused before anything is stored.
 */
public final class RootfsImporter {
  private final ImageStore store;
  private final ContentStore content;

  public RootfsImporter(ImageStore store) {
    this.store = store;
    this.content = store.content();
  }

  /** What to import and how to describe it. {@code name} may be null (a dangling image). */
  public record Request(String source, Reference name, List<String> changes, String message, Platform platform) {
    public Request {
      changes = changes == null ? List.of() : List.copyOf(changes);
      platform = platform == null ? Platform.host() : platform;
    }
  }

  public Image importRootfs(InputStream rootfs, Request req) {
    ContainerConfig config = ConfigChanges.apply(ContainerConfig.EMPTY, req.changes());
    ContentWriter layer = content.writer();
    try {
      try (InputStream raw = Compression.decompressed(rootfs);
          InputStream tee = new Tee(raw, layer);
          TarReader tar = TarReader.of(tee)) {
        int entries = 0;
        while (tar.next() != null) {
          entries++;
        }
        tee.transferTo(java.io.OutputStream.nullOutputStream()); // trailing blocks belong to the layer too
        if (entries == 0) {
          throw new InvalidArgumentException("importing " + req.source() + ": the archive holds no files");
        }
      } catch (IOException e) {
        throw new InvalidArgumentException("importing " + req.source() + ": the tar is truncated or corrupt (" + e.getMessage() + ")", e);
      } catch (BerthException e) {
        throw e.getMessage().contains(req.source()) ? e : e.during("importing " + req.source());
      }
      return store.withoutCollection(() -> {
        var layerInfo = layer.commit();
        Digest diffId = layerInfo.digest();
        String created = timestamp();
        String comment = req.message() == null || req.message().isEmpty() ? "Imported from " + req.source() : req.message();
        ImageConfig image = new ImageConfig(req.platform().architecture(), null, comment, config, null, null, created,
            null, List.of(new ImageConfig.History(created, null, null, comment, false)), req.platform().os(), null,
            new ImageConfig.RootFs("layers", List.of(diffId)), req.platform().variant());
        byte[] configBytes = image.toJson();
        var cfg = content.write(configBytes);
        Manifest m = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, cfg.digest(), cfg.size()),
            List.of(Descriptor.of(MediaType.OCI_LAYER, diffId, layerInfo.size())));
        byte[] mBytes = m.toJson();
        var man = content.write(mBytes);
        Descriptor target = Descriptor.of(MediaType.OCI_MANIFEST, man.digest(), man.size());
        return store.add(List.of(new ImageStore.Addition(target, req.name() == null ? List.of() : List.of(req.name())))).getFirst();
      });
    } finally {
      layer.close();
    }
  }

  /** Now, or SOURCE_DATE_EPOCH when set, so that imports can be reproducible. */
  static String timestamp() {
    String epoch = System.getenv("SOURCE_DATE_EPOCH");
    Instant t = epoch != null && epoch.matches("\\d+") ? Instant.ofEpochSecond(Long.parseLong(epoch)) : Instant.now();
    return DateTimeFormatter.ISO_INSTANT.format(t.atZone(ZoneOffset.UTC));
  }

  /** Copies every byte read into the layer writer, so the tar is checked and stored in one pass. */
  private static final class Tee extends FilterInputStream {
    private final ContentWriter sink;

    Tee(InputStream in, ContentWriter sink) {
      super(in);
      this.sink = sink;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        sink.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        sink.write(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
      int r = read(buf, 0, buf.length);
      return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void close() throws IOException {
      super.close();
    }
  }

  static UncheckedIOException io(String what, IOException e) {
    return new UncheckedIOException(what + ": " + e.getMessage(), e);
  }
}

package dev.berth.snapshot;

import dev.berth.archive.TarEntry;
import dev.berth.archive.TarWriter;
import dev.berth.content.ContentStore;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Reference;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Images made in code, straight into a store: any layer bytes, even hostile ones, with any diff_ids. */
final class TestImages {
  private TestImages() {}

  /** A layer: the stored blob (maybe compressed) and the diff_id the config claims for it. */
  record Layer(byte[] blob, String mediaType, Digest diffId) {
    static Layer plain(byte[] tar) {
      return new Layer(tar, MediaType.OCI_LAYER, Digest.sha256(tar));
    }

    static Layer gzip(byte[] tar) throws IOException {
      var out = new ByteArrayOutputStream();
      try (var z = dev.berth.archive.Compression.GZIP.compress(out)) {
        z.write(tar);
      }
      return new Layer(out.toByteArray(), MediaType.OCI_LAYER_GZIP, Digest.sha256(tar));
    }

    static Layer zstd(byte[] tar) throws IOException {
      var out = new ByteArrayOutputStream();
      try (var z = dev.berth.archive.Compression.ZSTD.compress(out)) {
        z.write(tar);
      }
      return new Layer(out.toByteArray(), MediaType.OCI_LAYER_ZSTD, Digest.sha256(tar));
    }

    Layer claiming(Digest wrongDiffId) {
      return new Layer(blob, mediaType, wrongDiffId);
    }
  }

  static Image image(ImageStore store, String name, List<Layer> layers) {
    ContentStore content = store.content();
    List<Descriptor> descriptors = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (Layer l : layers) {
      var info = content.write(l.blob());
      descriptors.add(Descriptor.of(l.mediaType(), info.digest(), info.size()));
      diffIds.add(l.diffId());
    }
    ImageConfig config = new ImageConfig("amd64", null, null, null, null, null, "2026-01-01T00:00:00Z", null,
        List.of(), "linux", null, new ImageConfig.RootFs("layers", diffIds), null);
    var cfg = content.write(config.toJson());
    Manifest m = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, cfg.digest(), cfg.size()), descriptors);
    var man = content.write(m.toJson());
    Descriptor target = Descriptor.of(MediaType.OCI_MANIFEST, man.digest(), man.size());
    return store.add(List.of(new ImageStore.Addition(target, List.of(Reference.parse(name))))).getFirst();
  }

  /** A tar written with berth's own TarWriter: for devices and xattrs, which TarBuilder lacks. */
  static byte[] tar(List<TarEntry> entries, List<byte[]> contents) {
    var out = new ByteArrayOutputStream();
    try (TarWriter w = TarWriter.to(out)) {
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i) instanceof TarEntry.RegularFile f && f.size() > 0) {
          w.write(f, new ByteArrayInputStream(contents.get(i)));
        } else {
          w.write(entries.get(i));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

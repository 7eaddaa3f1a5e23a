package dev.berth.distribution;

import dev.berth.archive.Compression;
import dev.berth.content.LocalContentStore;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.oci.ContainerConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.testing.rootfs.BusyboxRootfs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A runnable two-layer busybox image (gzip layers) built in code into a berth store. */
final class TestImage {
  private TestImage() {}

  static ImageStore store(Path dir) {
    return ImageStore.open(dir, LocalContentStore.at(dir.resolve("content")));
  }

  static Image busybox(ImageStore store, Path work, String name, String marker) throws IOException {
    var rootfs = BusyboxRootfs.create(work.resolve("rootfs"));
    Path base = work.resolve("base.tar");
    if (!Files.exists(base)) {
      rootfs.writeTar(base);
    }
    Path extra = work.resolve("extra-" + marker + ".tar");
    BusyboxRootfs.extraLayer(marker, extra);
    var layers = new ArrayList<Descriptor>();
    var diffIds = new ArrayList<Digest>();
    for (Path tar : List.of(base, extra)) {
      byte[] plain = Files.readAllBytes(tar);
      diffIds.add(Digest.sha256(plain));
      var out = new ByteArrayOutputStream();
      try (var gz = Compression.GZIP.compress(out)) {
        gz.write(plain);
      }
      byte[] gz = out.toByteArray();
      store.content().write(gz);
      layers.add(Descriptor.of(MediaType.OCI_LAYER_GZIP, Digest.sha256(gz), gz.length));
    }
    Platform p = Platform.host();
    var config = new ImageConfig(p.architecture(), null, null,
        ContainerConfig.of(List.of("PATH=" + BusyboxRootfs.PATH), List.of("sh")), null, null, "2024-01-01T00:00:00Z",
        null, null, p.os(), null, new ImageConfig.RootFs("layers", diffIds), p.variant());
    byte[] cfg = config.toJson();
    store.content().write(cfg);
    byte[] manifest = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256(cfg), cfg.length),
        layers).toJson();
    store.content().write(manifest);
    var target = Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256(manifest), manifest.length);
    return store.add(List.of(new ImageStore.Addition(target, List.of(Reference.parse(name))))).getFirst();
  }
}

package dev.berth.image;

import dev.berth.oci.Annotations;
import dev.berth.oci.ContainerConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Index;
import dev.berth.oci.Json;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Platform;
import dev.berth.testing.tar.TarBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Image archives built in code: OCI layouts and docker-archives, well-formed or broken on purpose. */
final class TestImages {
  private TestImages() {}

  static byte[] layer(String marker) {
    return new TarBuilder().dir("etc").file("etc/marker", marker).file("bin/tool", ("#!" + marker).getBytes(), 0755).build();
  }

  /** One image: its blobs by digest, and the manifest descriptor. */
  record Built(Map<Digest, byte[]> blobs, Descriptor manifest, Digest configDigest, List<Digest> layers, Platform platform) {}

  static Built image(String marker, Platform platform, String layerType) {
    byte[] layer = layer(marker);
    Digest diffId = Digest.sha256(layer);
    byte[] stored = layer;
    if (layerType.endsWith("gzip")) {
      stored = gzip(layer);
    }
    Digest layerDigest = Digest.sha256(stored);
    ImageConfig config = new ImageConfig(platform.architecture(), null, null, ContainerConfig.of(List.of("PATH=/bin"), List.of("sh")),
        null, null, "2024-01-01T00:00:00Z", null, List.of(new ImageConfig.History("2024-01-01T00:00:00Z", "test " + marker, null, null, false)),
        platform.os(), null, new ImageConfig.RootFs("layers", List.of(diffId)), platform.variant());
    byte[] cfg = config.toJson();
    Digest cfgDigest = Digest.sha256(cfg);
    Manifest m = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, cfgDigest, cfg.length),
        List.of(Descriptor.of(layerType, layerDigest, stored.length)));
    byte[] mb = m.toJson();
    Map<Digest, byte[]> blobs = new LinkedHashMap<>();
    blobs.put(Digest.sha256(mb), mb);
    blobs.put(cfgDigest, cfg);
    blobs.put(layerDigest, stored);
    return new Built(blobs, Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256(mb), mb.length), cfgDigest, List.of(layerDigest), platform);
  }

  static Built image(String marker) {
    return image(marker, Platform.host(), MediaType.OCI_LAYER);
  }

  /** An OCI layout tar with the given index entries and blobs; {@code edit} may break it. */
  static byte[] ociLayout(List<Descriptor> indexEntries, Map<Digest, byte[]> blobs) {
    TarBuilder t = new TarBuilder().file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}").dir("blobs").dir("blobs/sha256");
    blobs.forEach((d, b) -> t.file("blobs/sha256/" + d.hex(), b));
    t.file("index.json", Index.of(indexEntries).toJson());
    return t.build();
  }

  static byte[] ociLayout(Built image, String name) {
    return ociLayout(List.of(named(image.manifest(), name)), image.blobs());
  }

  static Descriptor named(Descriptor d, String name) {
    return name == null ? d : d.withAnnotations(Map.of(Annotations.CONTAINERD_IMAGE_NAME, name));
  }

  /** A docker-archive (docker save's legacy layout) of the image: config, layer.tar dirs, manifest.json, repositories. */
  static byte[] dockerArchive(Built image, List<String> repoTags) {
    TarBuilder t = new TarBuilder();
    String cfgName = image.configDigest().hex() + ".json";
    t.file(cfgName, image.blobs().get(image.configDigest()));
    List<String> layers = new ArrayList<>();
    for (Digest l : image.layers()) {
      String dir = l.hex();
      t.dir(dir).file(dir + "/VERSION", "1.0").file(dir + "/layer.tar", image.blobs().get(l));
      layers.add(dir + "/layer.tar");
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("Config", cfgName);
    entry.put("RepoTags", repoTags);
    entry.put("Layers", layers);
    t.file("manifest.json", Json.write(List.of(entry)));
    return t.build();
  }

  static byte[] gzip(byte[] b) {
    var out = new ByteArrayOutputStream();
    try (var gz = new GZIPOutputStream(out)) {
      gz.write(b);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Every file under {@code root} with its size and hash: equal snapshots mean an untouched store. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(root)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String rel = root.relativize(p).toString();
        if (Files.isRegularFile(p)) {
          try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            out.put(rel, HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))));
          } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
          }
        } else {
          out.put(rel + "/", "dir");
        }
      }
    }
    return out;
  }
}

package dev.berth.api.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.image.Image;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Json;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The three images whose answers were captured from Docker 20.10 into {@code golden/}: built here
 * from the very config bytes Docker stored, so that IDs match, and with layer sizes equal to the
 * sizes Docker reported (Docker measures unpacked layers; berth takes them from the manifest).
 */
final class Images {
  private Images() {}

  /** {@code docker import} of a busybox rootfs. */
  static Image busybox() {
    return image("config-busybox.json", List.of(1984172L), 1984172, List.of("busybox:latest"),
        Instant.parse("2026-11-27T10:45:54.031898536Z"));
  }

  /** {@code docker load} of a two-layer image with an empty-layer step, a partial config and two names. */
  static Image app() {
    return image("config-app.json", List.of(6L, 11L), 17, List.of("localhost:5000/team/app:latest", "app:v1"),
        Instant.parse("2026-11-27T10:46:30Z"));
  }

  /** {@code docker load} of an untagged arm64/v8 image whose config has neither {@code config} nor history. */
  static Image dangling() {
    return image("config-dangling.json", List.of(6L), 6, List.of(), Instant.parse("2026-11-27T10:46:30Z"));
  }

  static Image image(String configFile, List<Long> layerSizes, long size, List<String> tags, Instant added) {
    byte[] bytes = bytes(configFile);
    ImageConfig config = ImageConfig.parse(bytes, configFile);
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < layerSizes.size(); i++) {
      layers.add(Descriptor.of(MediaType.DOCKER_LAYER, config.rootfs().diffIds().get(i), layerSizes.get(i)));
    }
    Manifest manifest = Manifest.of(MediaType.DOCKER_MANIFEST,
        Descriptor.of(MediaType.DOCKER_CONFIG, Digest.sha256(bytes), bytes.length), layers);
    byte[] manifestBytes = manifest.toJson();
    Descriptor target = Descriptor.of(MediaType.DOCKER_MANIFEST, Digest.sha256(manifestBytes), manifestBytes.length);
    return new Image(Digest.sha256(bytes), target, tags.stream().map(Reference::parse).toList(), List.of(), manifest,
        config, size, added, layerSizes);
  }

  static byte[] bytes(String golden) {
    try (InputStream in = Images.class.getResourceAsStream("/golden/" + golden)) {
      if (in == null) {
        throw new IllegalStateException("no test resource golden/" + golden);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode golden(String name) {
    return Json.tree(bytes(name), name, Json.MAX_METADATA_BYTES);
  }

  /** Compact JSON of a value as berthd would send it, with Jackson's order preserved. */
  static String json(Object value) {
    return Json.writeString(value);
  }

  /** The path of dockerd's overlay2 directories cannot match; berth reports its own driver. */
  static JsonNode withGraphDriver(JsonNode inspect, ImageInspect.GraphDriver driver) {
    ObjectNode copy = ((ObjectNode) inspect).deepCopy();
    copy.set("GraphDriver", Json.MAPPER.valueToTree(driver));
    return copy;
  }
}

package dev.berth.api.model;

import static dev.berth.api.model.Images.golden;
import static dev.berth.api.model.Images.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.image.Image;
import dev.berth.oci.Json;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Our answers for API 1.41 against those Docker 20.10 gave for the same images, byte for byte after masking. */
class ImageViewsTest {
  static final ApiVersion V141 = ApiVersion.parse("1.41");
  static final ApiVersion V150 = ApiVersion.parse("1.50");

  @Test
  void inspectOfImportedImageMatchesDocker2010() {
    Image img = Images.busybox();
    JsonNode want = Images.withGraphDriver(golden("inspect-busybox.json"), ImageInspect.GraphDriver.OVERLAYFS);
    assertEquals(json(want), json(ImageViews.inspect(img, V141)));
  }

  @Test
  void inspectOfLoadedImageMatchesDocker2010() {
    Image img = Images.app();
    ObjectNode want = (ObjectNode) Images.withGraphDriver(golden("inspect-app.json"), ImageInspect.GraphDriver.OVERLAYFS);
    // docker load does not set LastTagTime; berth reports when the image was added.
    ((ObjectNode) want.get("Metadata")).put("LastTagTime", "2026-11-27T10:46:30Z");
    assertEquals(json(want), json(ImageViews.inspect(img, V141)));
  }

  @Test
  void inspectOfImageWithoutConfigMatchesDocker2010() {
    JsonNode want = Images.withGraphDriver(golden("inspect-dangling.json"), ImageInspect.GraphDriver.OVERLAYFS);
    assertEquals(json(want), json(ImageViews.inspect(Images.dangling(), V141)));
  }

  @Test
  void summariesMatchDocker2010() {
    JsonNode want = golden("images.json");
    for (Image img : List.of(Images.busybox(), Images.app(), Images.dangling())) {
      JsonNode w = StreamSupport.stream(want.spliterator(), false)
          .filter(n -> n.get("Id").asText().equals(img.id().toString())).findFirst().orElseThrow();
      assertEquals(json(w), json(ImageViews.summary(img, V141)), img.id().toString());
    }
  }

  @Test
  void historiesMatchDocker2010() {
    assertEquals(json(golden("history-busybox.json")), json(ImageViews.history(Images.busybox())));
    assertEquals(json(golden("history-app.json")), json(ImageViews.history(Images.app())));
    assertEquals(json(golden("history-dangling.json")), json(ImageViews.history(Images.dangling())));
  }

  @Test
  void inspectForApi150DropsLegacyFieldsAndUsesTheOciConfigShape() {
    Image img = Images.busybox();
    JsonNode got = Json.MAPPER.valueToTree(ImageViews.inspect(img, V150));
    for (String gone : List.of("Container", "ContainerConfig", "VirtualSize")) {
      assertFalse(got.has(gone), gone);
    }
    assertEquals("{\"User\":\"\",\"Env\":null,\"Entrypoint\":null,\"Cmd\":null,\"Volumes\":null,\"WorkingDir\":\"\","
        + "\"Labels\":null,\"OnBuild\":null}", json(got.get("Config")));
    assertEquals(img.target().digest().toString(), got.get("Descriptor").get("digest").asText());
    assertEquals("application/vnd.docker.distribution.manifest.v2+json", got.get("Descriptor").get("mediaType").asText());
    assertEquals("", got.get("Parent").asText());
    assertEquals("20.10.24+dfsg1", got.get("DockerVersion").asText());
    assertEquals("2026-11-27T10:45:54.030840528Z", got.get("Created").asText());
  }

  @Test
  void inspectForApi150KeepsSetConfigFieldsInOciOrder() {
    JsonNode got = Json.MAPPER.valueToTree(ImageViews.inspect(Images.app(), V150));
    assertEquals("{\"User\":\"\",\"ExposedPorts\":{\"80/tcp\":{}},\"Env\":[\"PATH=/usr/bin:/bin\"],\"Entrypoint\":null,"
        + "\"Cmd\":[\"sh\"],\"Volumes\":null,\"WorkingDir\":\"/w\",\"Labels\":{\"org.example\":\"yes\"},"
        + "\"StopSignal\":\"SIGQUIT\",\"OnBuild\":null}", json(got.get("Config")));
  }

  @Test
  void inspectBetween142And149FillsTheLegacyConfigEvenWhenAbsent() {
    JsonNode got = Json.MAPPER.valueToTree(ImageViews.inspect(Images.dangling(), ApiVersion.parse("1.44")));
    assertEquals("", got.get("Config").get("Hostname").asText());
    assertTrue(got.has("Container"), "Container before 1.45");
    assertFalse(got.has("VirtualSize"), "no VirtualSize from 1.44");
    assertFalse(got.has("Descriptor"), "no Descriptor before 1.48");
  }

  @Test
  void inspectFrom152LeavesOutEmptyDeprecatedText() {
    JsonNode got = Json.MAPPER.valueToTree(ImageViews.inspect(Images.app(), ApiVersion.parse("1.52")));
    assertFalse(got.has("Parent"));
    assertFalse(got.has("DockerVersion"));
    assertFalse(got.has("Comment"));
    assertEquals("Berth Tests <t@berth.dev>", got.get("Author").asText());
  }

  @Test
  void summaryForApi150() {
    JsonNode dangling = Json.MAPPER.valueToTree(ImageViews.summary(Images.dangling(), V150));
    assertEquals("[]", json(dangling.get("RepoTags")));
    assertEquals("[]", json(dangling.get("RepoDigests")));
    assertFalse(dangling.has("VirtualSize"));
    assertEquals(-1, dangling.get("Containers").asLong());
    assertTrue(dangling.has("Descriptor"));
    JsonNode busybox = Json.MAPPER.valueToTree(ImageViews.summary(Images.busybox(), V150));
    assertEquals("[]", json(busybox.get("RepoDigests")));
    assertTrue(busybox.get("Labels").isNull());
  }

  @Test
  void historyTopEntryCarriesIdAndTagsOthersAreMissing() {
    List<HistoryItem> h = ImageViews.history(Images.app());
    assertEquals(List.of("app:v1", "localhost:5000/team/app:latest"), h.getFirst().tags());
    assertEquals(HistoryItem.MISSING, h.get(1).id());
    assertNull(h.get(1).tags());
    assertEquals(List.of(11L, 0L, 6L), h.stream().map(HistoryItem::size).toList());
  }

  @Test
  void timestampsAsGoWritesThem() {
    assertEquals("2024-01-02T03:04:05.1Z", ImageViews.rfc3339Nano("2024-01-02T03:04:05.100000000Z"));
    assertEquals("2024-01-02T03:04:05Z", ImageViews.rfc3339Nano("2024-01-02T03:04:05.000Z"));
    assertEquals("2024-01-02T03:04:05.5+02:00", ImageViews.rfc3339Nano("2024-01-02T03:04:05.5+02:00"));
    assertEquals("2024-01-02T03:04:05Z", ImageViews.rfc3339Nano("2024-01-02T03:04:05+00:00"));
    assertEquals("garbage", ImageViews.rfc3339Nano("garbage"));
    assertEquals(1704164645, ImageViews.unixSeconds("2024-01-02T03:04:05.123456789Z"));
    assertEquals(0, ImageViews.unixSeconds(null));
  }
}

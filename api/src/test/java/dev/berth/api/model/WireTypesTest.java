package dev.berth.api.model;

import static dev.berth.api.model.Images.golden;
import static dev.berth.api.model.Images.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Digest;
import dev.berth.oci.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The DTOs read Docker 20.10's answers and write them back unchanged: proof of field names, order
 * and of which empty fields are kept.
 */
class WireTypesTest {

  private static <T> void roundTrips(String golden, Class<T> type) {
    JsonNode want = golden(golden);
    T value = Json.MAPPER.convertValue(want, type);
    assertEquals(json(want), json(value), golden);
  }

  @Test
  void versionRoundTrips() {
    roundTrips("version.json", VersionInfo.class);
  }

  @Test
  void infoRoundTrips() {
    roundTrips("info.json", SystemInfo.class);
  }

  @Test
  void errorRoundTrips() {
    roundTrips("error-no-such-image.json", ErrorResponse.class);
  }

  @Test
  void pruneReportsRoundTrip() {
    roundTrips("prune.json", ImagePruneReport.class);
    roundTrips("prune-empty.json", ImagePruneReport.class);
    assertEquals("{\"ImagesDeleted\":null,\"SpaceReclaimed\":0}", json(new ImagePruneReport(List.of(), 0)));
  }

  @Test
  void deleteItemsRoundTrip() throws Exception {
    for (String g : List.of("delete-app.json", "delete-untag.json")) {
      JsonNode want = golden(g);
      List<ImageDeleteItem> items = Json.MAPPER.convertValue(want,
          TypeFactory.defaultInstance().constructCollectionType(List.class, ImageDeleteItem.class));
      assertEquals(json(want), json(items), g);
    }
    Digest d = Digest.parse("sha256:" + "a".repeat(64));
    assertEquals("{\"Deleted\":\"sha256:" + "a".repeat(64) + "\"}", json(ImageDeleteItem.deleted(d)));
  }

  @Test
  void loadStreamRoundTrips() {
    String text = new String(Images.bytes("load-stream.jsonl"), StandardCharsets.UTF_8);
    // Docker writes one object per line with no separator beyond "\r\n" or "\n".
    for (String line : text.split("\r?\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode want = Json.tree(line.getBytes(StandardCharsets.UTF_8), "line", 1 << 20);
      assertEquals(json(want), json(Json.MAPPER.convertValue(want, ProgressMessage.class)));
    }
    assertEquals("{\"stream\":\"Loaded image: busybox:latest\\n\"}",
        json(ProgressMessage.stream("Loaded image: busybox:latest\n")));
  }

  @Test
  void progressMessagesAreShapedLikeDockers() {
    assertEquals("{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"a1b2c3d4e5f6\"}",
        json(ProgressMessage.status("a1b2c3d4e5f6", "Pull complete")));
    assertEquals("{\"status\":\"Downloading\",\"progressDetail\":{\"current\":10,\"total\":20},"
        + "\"progress\":\"[==>   ]\",\"id\":\"a1b2c3d4e5f6\"}",
        json(ProgressMessage.progress("a1b2c3d4e5f6", "Downloading", 10, 20, "[==>   ]")));
    assertEquals("{\"errorDetail\":{\"message\":\"boom\"},\"error\":\"boom\"}", json(ProgressMessage.error("boom")));
    assertEquals("{\"status\":\"Digest: sha256:x\"}", json(ProgressMessage.status(null, "Digest: sha256:x")));
  }

  @Test
  void apiVersionsParseAndCompare() {
    assertEquals(new ApiVersion(1, 41), ApiVersion.parse("1.41"));
    assertEquals(new ApiVersion(1, 41), ApiVersion.parse("v1.41"));
    assertTrue(ApiVersion.parse("1.9").lessThan("1.41"));
    assertTrue(ApiVersion.parse("1.50").atLeast("1.50"));
    assertTrue(ApiVersion.parse("2.0").atLeast("1.99"));
    assertEquals("1.50", ApiVersion.CURRENT.toString());
    for (String bad : List.of("", "1", "1.", ".1", "a.b", "1.41.2", "1.-1", "+1.2", "1.+2")) {
      assertThrows(InvalidArgumentException.class, () -> ApiVersion.parse(bad), bad);
    }
  }
}

package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Json;
import dev.berth.oci.Reference;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rows of {@code berth images}: docker's {@code imageFormatTaggedAndDigest}, with its fields. */
final class ImageRows {
  private ImageRows() {}

  // Go's time.Time.String(), which docker's CreatedAt column prints.
  static final DateTimeFormatter GO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xx zzz");

  /** The rows docker shows for a list of image summaries: one per repository and tag (and digest). */
  static List<JsonNode> rows(JsonNode images, boolean trunc, boolean showDigests, long nowMillis, ZoneId zone) {
    List<JsonNode> rows = new ArrayList<>();
    for (JsonNode img : images) {
      if (dangling(img)) {
        rows.add(row(img, "<none>", "<none>", "<none>", trunc, nowMillis, zone));
        continue;
      }
      Map<String, List<String>> tags = new LinkedHashMap<>();
      Map<String, List<String>> digests = new LinkedHashMap<>();
      for (JsonNode t : img.path("RepoTags")) {
        try {
          Reference ref = Reference.parseNormalized(t.asText());
          if (ref.tag() != null) {
            tags.computeIfAbsent(ref.familiarRepository(), k -> new ArrayList<>()).add(ref.tag());
          }
        } catch (RuntimeException ignored) {
          // docker skips names it cannot parse
        }
      }
      for (JsonNode d : img.path("RepoDigests")) {
        try {
          Reference ref = Reference.parseNormalized(d.asText());
          if (ref.digest() != null) {
            digests.computeIfAbsent(ref.familiarRepository(), k -> new ArrayList<>()).add(ref.digest().toString());
          }
        } catch (RuntimeException ignored) {
          // as above
        }
      }
      for (var e : tags.entrySet()) {
        List<String> ds = digests.remove(e.getKey());
        if (!showDigests || ds == null) {
          ds = List.of();
        }
        for (String tag : e.getValue()) {
          if (ds.isEmpty()) {
            rows.add(row(img, e.getKey(), tag, "<none>", trunc, nowMillis, zone));
          }
          for (String d : ds) {
            rows.add(row(img, e.getKey(), tag, d, trunc, nowMillis, zone));
          }
        }
      }
      // Repositories known only by digest: a row per digest with --digests, else one row.
      for (var e : digests.entrySet()) {
        if (showDigests) {
          for (String d : e.getValue()) {
            rows.add(row(img, e.getKey(), "<none>", d, trunc, nowMillis, zone));
          }
        } else {
          rows.add(row(img, e.getKey(), "<none>", "", trunc, nowMillis, zone));
        }
      }
    }
    return rows;
  }

  static boolean dangling(JsonNode img) {
    JsonNode tags = img.path("RepoTags");
    JsonNode digests = img.path("RepoDigests");
    if (tags.isEmpty() && digests.isEmpty()) {
      return true;
    }
    return tags.size() == 1 && tags.get(0).asText().equals("<none>:<none>")
        && digests.size() == 1 && digests.get(0).asText().equals("<none>@<none>");
  }

  /** A row with docker's field names, keys sorted as Go sorts a map's when {@code {{json .}}} prints it. */
  private static JsonNode row(JsonNode img, String repo, String tag, String digest, boolean trunc, long nowMillis,
      ZoneId zone) {
    long created = img.path("Created").asLong();
    long size = img.path("Size").asLong();
    long shared = img.path("SharedSize").asLong(-1);
    long containers = img.path("Containers").asLong(-1);
    String id = img.path("Id").asText();
    ObjectNode row = Json.MAPPER.createObjectNode();
    row.put("Containers", containers < 0 ? "N/A" : Long.toString(containers));
    row.put("CreatedAt", GO_TIME.format(Instant.ofEpochSecond(created).atZone(zone)));
    row.put("CreatedSince", Units.since(created, nowMillis));
    row.put("Digest", digest);
    row.put("ID", trunc ? Units.shortId(id) : id);
    row.put("Repository", repo);
    row.put("SharedSize", shared < 0 ? "N/A" : Units.size(shared));
    row.put("Size", Units.size(size));
    row.put("Tag", tag);
    row.put("UniqueSize", shared < 0 || size < 0 ? "N/A" : Units.size(size - shared));
    row.put("VirtualSize", Units.size(size));
    return row;
  }
}

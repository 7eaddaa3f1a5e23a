package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Json;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** The rows of {@code berth history}, with docker's field names. */
final class HistoryRows {
  private HistoryRows() {}

  static List<JsonNode> rows(JsonNode history, boolean trunc, boolean human, long nowMillis, ZoneId zone) {
    List<JsonNode> rows = new ArrayList<>();
    for (JsonNode h : history) {
      long created = h.path("Created").asLong();
      String id = h.path("Id").asText();
      String createdBy = h.path("CreatedBy").asText("").replace('\t', ' ');
      long size = h.path("Size").asLong();
      String at = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.ofEpochSecond(created).atZone(zone));
      ObjectNode row = Json.MAPPER.createObjectNode();
      row.put("Comment", h.path("Comment").asText(""));
      row.put("CreatedAt", at);
      row.put("CreatedBy", trunc ? Units.ellipsis(createdBy, 45) : createdBy);
      row.put("CreatedSince", human ? Units.since(created, nowMillis) : at);
      row.put("ID", trunc ? Units.shortId(id) : id);
      row.put("Size", human ? Units.size(size) : Long.toString(size));
      rows.add(row);
    }
    return rows;
  }
}

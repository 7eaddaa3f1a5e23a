package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** What {@code berth image prune} prints of the daemon's report, in docker's words. */
final class PruneText {
  private PruneText() {}

  static String text(JsonNode report) {
    var sb = new StringBuilder();
    JsonNode deleted = report.path("ImagesDeleted");
    if (!deleted.isEmpty()) {
      sb.append("Deleted Images:\n");
      for (JsonNode item : deleted) {
        if (item.hasNonNull("Untagged")) {
          sb.append("untagged: ").append(item.get("Untagged").asText()).append('\n');
        }
        if (item.hasNonNull("Deleted")) {
          sb.append("deleted: ").append(item.get("Deleted").asText()).append('\n');
        }
      }
      sb.append('\n');
    }
    sb.append("Total reclaimed space: ").append(Units.size(report.path("SpaceReclaimed").asDouble(), 4)).append('\n');
    return sb.toString();
  }
}

package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth history IMAGE}: the steps that made an image, newest first. */
@Command(name = "history", description = "Show the history of an image")
final class HistoryCommand extends BaseCommand {
  static final String TABLE = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
  static final Map<String, String> HEADERS = Map.of(
      "ID", "IMAGE",
      "CreatedSince", "CREATED",
      "CreatedAt", "CREATED AT",
      "CreatedBy", "CREATED BY",
      "Size", "SIZE",
      "Comment", "COMMENT");

  @Option(names = {"-H", "--human"}, negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Print sizes and dates in human readable format (default true)")
  boolean human = true;

  @Option(names = "--no-trunc", description = "Don't truncate output")
  boolean noTrunc;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs")
  boolean quiet;

  @Option(names = "--format", paramLabel = "FORMAT", description = "Format output: 'table', 'table TEMPLATE', 'json', or a Go template")
  String format;

  @Parameters(paramLabel = "IMAGE")
  String image;

  @Override
  public Integer call() throws IOException {
    JsonNode history = engine().json("GET", "/images/" + Engine.name(image) + "/history");
    String f = format == null || format.equals("table") ? (quiet ? "{{.ID}}" : TABLE) : format;
    out().print(Formats.render(f, HEADERS, HistoryRows.rows(history, !noTrunc, human, System.currentTimeMillis(), ZoneId.systemDefault())));
    return 0;
  }
}

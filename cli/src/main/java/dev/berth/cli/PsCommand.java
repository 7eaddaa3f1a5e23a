package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth ps} and {@code berth container ls}: docker's container list, row for row. */
@Command(name = "ps", description = "List containers")
final class PsCommand extends BaseCommand {
  static final String TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  static final Map<String, String> HEADERS = Map.ofEntries(
      Map.entry("ID", "CONTAINER ID"), Map.entry("Image", "IMAGE"), Map.entry("Command", "COMMAND"),
      Map.entry("CreatedAt", "CREATED AT"), Map.entry("RunningFor", "CREATED"), Map.entry("Ports", "PORTS"),
      Map.entry("State", "STATE"), Map.entry("Status", "STATUS"), Map.entry("Size", "SIZE"), Map.entry("Names", "NAMES"),
      Map.entry("Labels", "LABELS"), Map.entry("Mounts", "MOUNTS"), Map.entry("Networks", "NETWORKS"),
      Map.entry("LocalVolumes", "LOCAL VOLUMES"));

  @Option(names = {"-a", "--all"}, description = "Show all containers (default shows just running)")
  boolean all;

  @Option(names = {"-q", "--quiet"}, description = "Only display container IDs")
  boolean quiet;

  @Option(names = {"-s", "--size"}, description = "Display total file sizes")
  boolean size;

  @Option(names = {"-n", "--last"}, paramLabel = "N", description = "Show n last created containers (includes all states)")
  Integer last;

  @Option(names = {"-l", "--latest"}, description = "Show the latest created container (includes all states)")
  boolean latest;

  @Option(names = "--no-trunc", description = "Don't truncate output")
  boolean noTrunc;

  @Option(names = {"-f", "--filter"}, paramLabel = "FILTER", description = "Filter output based on conditions provided")
  List<String> filters = new ArrayList<>();

  @Option(names = "--format", paramLabel = "FORMAT", description = "Format output: 'table', 'table TEMPLATE', 'json', or a Go template")
  String format;

  @Override
  public Integer call() throws IOException {
    Integer limit = latest ? Integer.valueOf(1) : last;
    var q = new Engine.Query().addIf(all, "all", "1").addIf(size, "size", "1")
        .addIf(limit != null, "limit", String.valueOf(limit))
        .addIf(!filters.isEmpty(), "filters", filters.isEmpty() ? "" : Formats.filters(filters));
    JsonNode list = engine().json("GET", "/containers/json" + q);
    Instant now = Instant.now();
    List<JsonNode> rows = new ArrayList<>();
    for (JsonNode c : list) {
      rows.add(row(c, !noTrunc, now));
    }
    String f = format == null || format.equals("table")
        ? (quiet ? "{{.ID}}" : size ? TABLE + "\t{{.Size}}" : TABLE) : format;
    out().print(Formats.render(f, HEADERS, rows));
    return 0;
  }

  /** The fields docker's container formatter offers. */
  static ObjectNode row(JsonNode c, boolean trunc, Instant now) {
    var r = Json.MAPPER.createObjectNode();
    String id = c.path("Id").asText();
    r.put("ID", trunc ? id.substring(0, Math.min(12, id.length())) : id);
    String image = c.path("Image").asText();
    r.put("Image", trunc && image.startsWith("sha256:") ? Units.shortId(image) : image);
    String command = c.path("Command").asText();
    r.put("Command", "\"" + (trunc ? Units.ellipsis(command, 20) : command) + "\"");
    Instant created = Instant.ofEpochSecond(c.path("Created").asLong());
    r.put("CreatedAt", DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z z").format(created.atZone(ZoneId.systemDefault())));
    r.put("RunningFor", human(Duration.between(created, now)) + " ago");
    r.put("Ports", "");
    r.put("State", c.path("State").asText());
    r.put("Status", c.path("Status").asText());
    r.put("Size", c.has("SizeRw") ? Units.size(c.path("SizeRw").asLong()) + " (virtual " + Units.size(c.path("SizeRootFs").asLong()) + ")" : "0B");
    var names = new ArrayList<String>();
    c.path("Names").forEach(n -> names.add(n.asText().startsWith("/") ? n.asText().substring(1) : n.asText()));
    r.put("Names", String.join(",", names));
    var labels = new TreeMap<String, String>();
    c.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    var sb = new StringBuilder();
    labels.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ",").append(k).append('=').append(v));
    r.put("Labels", sb.toString());
    var mounts = new ArrayList<String>();
    c.path("Mounts").forEach(m -> mounts.add(m.hasNonNull("Name") ? m.path("Name").asText() : m.path("Source").asText()));
    r.put("Mounts", String.join(",", mounts));
    var nets = new ArrayList<String>();
    c.path("NetworkSettings").path("Networks").properties().forEach(e -> nets.add(e.getKey()));
    r.put("Networks", String.join(",", nets));
    return r;
  }

  /** Go's {@code units.HumanDuration}. */
  static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 1) {
      return "Less than a second";
    } else if (s == 1) {
      return "1 second";
    } else if (s < 60) {
      return s + " seconds";
    }
    long m = d.toMinutes();
    if (m == 1) {
      return "About a minute";
    } else if (m < 60) {
      return m + " minutes";
    }
    long h = Math.round(s / 3600.0);
    if (h == 1) {
      return "About an hour";
    } else if (h < 48) {
      return h + " hours";
    } else if (h < 24 * 7 * 2) {
      return h / 24 + " days";
    } else if (h < 24 * 30 * 2) {
      return h / 24 / 7 + " weeks";
    } else if (h < 24 * 365 * 2) {
      return h / 24 / 30 + " months";
    }
    return h / 24 / 365 + " years";
  }
}

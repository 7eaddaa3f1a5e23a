package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth images} and {@code berth image ls}: docker's image list, row for row. */
@Command(name = "images", description = "List images")
final class ImagesCommand extends BaseCommand {
  static final String TABLE = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
  static final String TABLE_DIGESTS =
      "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
  static final Map<String, String> HEADERS = Map.ofEntries(
      Map.entry("Repository", "REPOSITORY"),
      Map.entry("Tag", "TAG"),
      Map.entry("Digest", "DIGEST"),
      Map.entry("ID", "IMAGE ID"),
      Map.entry("CreatedSince", "CREATED"),
      Map.entry("CreatedAt", "CREATED AT"),
      Map.entry("Size", "SIZE"),
      Map.entry("Containers", "CONTAINERS"),
      Map.entry("SharedSize", "SHARED SIZE"),
      Map.entry("UniqueSize", "UNIQUE SIZE"),
      Map.entry("VirtualSize", "VIRTUAL SIZE"));

  @Option(names = {"-a", "--all"}, description = "Show all images (default hides intermediate images)")
  boolean all;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs")
  boolean quiet;

  @Option(names = "--digests", description = "Show digests")
  boolean digests;

  @Option(names = "--no-trunc", description = "Don't truncate output")
  boolean noTrunc;

  @Option(names = {"-f", "--filter"}, paramLabel = "FILTER", description = "Filter output based on conditions provided")
  List<String> filters = new ArrayList<>();

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "Format output: 'table', 'table TEMPLATE', 'json', or a Go template")
  String format;

  @Parameters(arity = "0..1", paramLabel = "REPOSITORY[:TAG]")
  String reference;

  @Override
  public Integer call() throws IOException {
    List<String> all = new ArrayList<>(filters);
    if (reference != null) {
      all.add("reference=" + reference);
    }
    var query = new Engine.Query().addIf(this.all, "all", "1").addIf(!all.isEmpty(), "filters", Formats.filters(all));
    JsonNode images = engine().json("GET", "/images/json" + query);
    List<JsonNode> rows = ImageRows.rows(images, !noTrunc, digests, System.currentTimeMillis(), ZoneId.systemDefault());
    out().print(Formats.render(chooseFormat(), HEADERS, rows));
    return 0;
  }

  private String chooseFormat() {
    if (format == null || format.equals("table")) {
      return quiet ? "{{.ID}}" : digests ? TABLE_DIGESTS : TABLE;
    }
    return format;
  }
}

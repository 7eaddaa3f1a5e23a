package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth container prune}: removes all stopped containers, after asking (unless {@code -f}). */
@Command(name = "prune", description = "Remove all stopped containers")
final class ContainerPruneCommand extends BaseCommand {
  @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation") boolean force;
  @Option(names = "--filter", paramLabel = "FILTER", description = "Provide filter values (e.g. 'until=<timestamp>')") List<String> filters = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    if (!force && !Prompts.confirm(this, "WARNING! This will remove all stopped containers.")) {
      return 0;
    }
    var q = new Engine.Query().addIf(!filters.isEmpty(), "filters", filters.isEmpty() ? "" : Formats.filters(filters));
    JsonNode report = engine().json("POST", "/containers/prune" + q);
    var sb = new StringBuilder();
    if (report.path("ContainersDeleted").isArray() && !report.path("ContainersDeleted").isEmpty()) {
      sb.append("Deleted Containers:\n");
      report.path("ContainersDeleted").forEach(id -> sb.append(id.asText()).append('\n'));
      sb.append('\n');
    }
    sb.append("Total reclaimed space: ").append(Units.size(report.path("SpaceReclaimed").asLong())).append('\n');
    out().print(sb);
    return 0;
  }
}

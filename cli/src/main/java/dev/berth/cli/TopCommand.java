package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth top}: the container's processes as {@code ps} shows them. */
@Command(name = "top", description = "Display the running processes of a container")
final class TopCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "CONTAINER")
  String container;

  @Parameters(index = "1..*", paramLabel = "PS_OPTIONS")
  List<String> psArgs = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    var q = new Engine.Query().addIf(!psArgs.isEmpty(), "ps_args", String.join(" ", psArgs));
    JsonNode top = engine().json("GET", "/containers/" + ContainerVerbs.path(container) + "/top" + q);
    var sb = new StringBuilder();
    List<String> titles = new ArrayList<>();
    top.path("Titles").forEach(t -> titles.add(t.asText()));
    sb.append(String.join("\t", titles)).append('\n');
    for (JsonNode p : top.path("Processes")) {
      List<String> cells = new ArrayList<>();
      p.forEach(x -> cells.add(x.asText()));
      sb.append(String.join("\t", cells)).append('\n');
    }
    out().print(TableWriter.format(sb.toString()));
    return 0;
  }
}

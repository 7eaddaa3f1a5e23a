package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth rmi} and {@code berth image rm}: removes each image in turn, printing docker's
 * {@code Untagged:} and {@code Deleted:} lines; failures are reported at the end, exit status 1.
 */
@Command(name = "rmi", description = "Remove one or more images")
final class RmiCommand extends BaseCommand {
  @Option(names = {"-f", "--force"}, description = "Force removal of the image")
  boolean force;

  @Option(names = "--no-prune", description = "Do not delete untagged parents")
  boolean noPrune;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<String> names;

  @Override
  public Integer call() throws IOException {
    List<String> errors = new ArrayList<>();
    var query = new Engine.Query().addIf(force, "force", "1").addIf(noPrune, "noprune", "1");
    for (String name : names) {
      JsonNode items;
      try {
        items = engine().json("DELETE", "/images/" + Engine.name(name) + query);
      } catch (DaemonException e) {
        errors.add(e.getMessage());
        continue;
      }
      for (JsonNode item : items) {
        if (item.hasNonNull("Untagged")) {
          out().println("Untagged: " + item.get("Untagged").asText());
        }
        if (item.hasNonNull("Deleted")) {
          out().println("Deleted: " + item.get("Deleted").asText());
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new CliException(String.join("\n", errors));
    }
    return 0;
  }
}

package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth image prune}: removes dangling images, or with {@code -a} every image no container
 * uses. It asks first, as docker does; when stdin is not a terminal there is nobody to ask, so
 * without {@code -f} it refuses rather than read an answer from a pipe that was meant for
 * something else.
 */
@Command(name = "prune", description = "Remove unused images")
final class PruneCommand extends BaseCommand {
  @Option(names = {"-a", "--all"}, description = "Remove all unused images, not just dangling ones")
  boolean all;

  @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation")
  boolean force;

  @Option(names = "--filter", paramLabel = "FILTER", description = "Provide filter values (e.g. 'until=<timestamp>')")
  List<String> filters = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    String warning = all
        ? "WARNING! This will remove all images without at least one container associated to them."
        : "WARNING! This will remove all dangling images.";
    if (!force) {
      if (!io().inTerminal()) {
        throw new CliException("berth: refusing to prune without confirmation: stdin is not a terminal; use -f to prune anyway");
      }
      out().print(warning + "\nAre you sure you want to continue? [y/N] ");
      out().flush();
      String answer = new BufferedReader(new InputStreamReader(io().in(), StandardCharsets.UTF_8)).readLine();
      if (answer == null || !(answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"))) {
        return 0;
      }
    }
    List<String> f = new ArrayList<>(filters);
    f.add("dangling=" + !all);
    JsonNode report = engine().json("POST", "/images/prune" + new Engine.Query().add("filters", Formats.filters(f)));
    out().print(PruneText.text(report));
    return 0;
  }
}

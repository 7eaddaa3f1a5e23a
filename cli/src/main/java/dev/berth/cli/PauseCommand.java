package dev.berth.cli;

import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth pause}: docker's pause, container by container. */
@Command(name = "pause", description = "Pause all processes within one or more containers")
final class PauseCommand extends BaseCommand {
  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> containers;

  @Override
  public Integer call() throws IOException {
    Engine e = engine();
    return ContainerVerbs.each(this, containers, c -> ContainerVerbs.post(e, "/containers/" + ContainerVerbs.path(c) + "/pause"));
  }
}

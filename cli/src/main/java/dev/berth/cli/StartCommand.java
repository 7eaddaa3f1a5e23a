package dev.berth.cli;

import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth start}: docker's start, container by container. */
@Command(name = "start", description = "Start one or more stopped containers")
final class StartCommand extends BaseCommand {
  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> containers;

  @Override
  public Integer call() throws IOException {
    Engine e = engine();
    return ContainerVerbs.each(this, containers, c -> ContainerVerbs.post(e, "/containers/" + ContainerVerbs.path(c) + "/start"));
  }
}

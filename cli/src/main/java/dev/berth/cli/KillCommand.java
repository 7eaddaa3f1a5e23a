package dev.berth.cli;

import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth kill}: a signal (SIGKILL unless {@code -s}) to each container. */
@Command(name = "kill", description = "Kill one or more running containers")
final class KillCommand extends BaseCommand {
  @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "Signal to send to the container")
  String signal;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> containers;

  @Override
  public Integer call() throws IOException {
    Engine e = engine();
    var q = new Engine.Query().addIf(signal != null, "signal", String.valueOf(signal));
    return ContainerVerbs.each(this, containers, c -> ContainerVerbs.post(e, "/containers/" + ContainerVerbs.path(c) + "/kill" + q));
  }
}

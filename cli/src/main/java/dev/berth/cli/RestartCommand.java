package dev.berth.cli;

import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth restart}: stop, then start again. */
@Command(name = "restart", description = "Restart one or more containers")
final class RestartCommand extends BaseCommand {
  @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", description = "Seconds to wait before killing the container")
  Integer timeout;

  @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "Signal to send to the container")
  String signal;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> containers;

  @Override
  public Integer call() throws IOException {
    Engine e = engine();
    var q = new Engine.Query().addIf(timeout != null, "t", String.valueOf(timeout)).addIf(signal != null, "signal", String.valueOf(signal));
    return ContainerVerbs.each(this, containers, c -> ContainerVerbs.post(e, "/containers/" + ContainerVerbs.path(c) + "/restart" + q));
  }
}

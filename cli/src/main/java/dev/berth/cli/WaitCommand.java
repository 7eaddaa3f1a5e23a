package dev.berth.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth wait}: blocks until each container stops, printing its exit code. */
@Command(name = "wait", description = "Block until one or more containers stop, then print their exit codes")
final class WaitCommand extends BaseCommand {
  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> containers;

  @Override
  public Integer call() throws IOException {
    List<String> errors = new ArrayList<>();
    for (String c : containers) {
      try {
        out().println(ContainerClient.waitResult(ContainerClient.startWait(engine(), ContainerVerbs.path(c), "not-running")));
      } catch (DaemonException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new CliException(String.join("\n", errors));
    }
    return 0;
  }
}

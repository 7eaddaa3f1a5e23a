package dev.berth.cli;

import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth rm}: removes containers; {@code -f} kills running ones first. */
@Command(name = "rm", description = "Remove one or more containers")
final class RmCommand extends BaseCommand {
  @Option(names = {"-f", "--force"}, description = "Force the removal of a running container (uses SIGKILL)")
  boolean force;

  @Option(names = {"-v", "--volumes"}, description = "Remove anonymous volumes associated with the container")
  boolean volumes;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER")
  List<String> containers;

  @Override
  public Integer call() throws IOException {
    Engine e = engine();
    var q = new Engine.Query().addIf(force, "force", "1").addIf(volumes, "v", "1");
    return ContainerVerbs.each(this, containers, c -> {
      try (var res = e.send("DELETE", "/containers/" + ContainerVerbs.path(c) + q)) {
        res.bytes();
      }
    });
  }
}

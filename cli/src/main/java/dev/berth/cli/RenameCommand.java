package dev.berth.cli;

import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth rename}. */
@Command(name = "rename", description = "Rename a container")
final class RenameCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "CONTAINER")
  String container;

  @Parameters(index = "1", paramLabel = "NEW_NAME")
  String newName;

  @Override
  public Integer call() throws IOException {
    ContainerVerbs.post(engine(), "/containers/" + ContainerVerbs.path(container) + "/rename" + new Engine.Query().add("name", newName));
    return 0;
  }
}

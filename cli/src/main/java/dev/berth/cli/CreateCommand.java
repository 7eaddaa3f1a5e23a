package dev.berth.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code berth create}: a container, not started; prints its ID. */
@Command(name = "create", description = "Create a new container")
final class CreateCommand extends BaseCommand {
  @Mixin ContainerFlags flags;

  @Parameters(index = "0", paramLabel = "IMAGE")
  String image;

  @Parameters(index = "1..*", paramLabel = "COMMAND")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    out().println(ContainerClient.create(engine(), flags, image, command, false));
    return 0;
  }
}

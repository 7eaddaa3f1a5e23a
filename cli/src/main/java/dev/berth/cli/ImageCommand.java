package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth image ...}: the image commands under docker's management-command names. */
@Command(name = "image", description = "Manage images", synopsisSubcommandLabel = "COMMAND")
final class ImageCommand extends BaseCommand {
  /** Subcommands are added here so that one class serves both {@code berth images} and {@code berth image ls}. */
  static void register(CommandLine image) {
    image.addSubcommand("ls", new ImagesCommand(), "list");
    image.addSubcommand("inspect", new InspectCommand().imagesOnly());
    image.addSubcommand("history", new HistoryCommand());
    image.addSubcommand("tag", new TagCommand());
    image.addSubcommand("rm", new RmiCommand(), "remove");
    image.addSubcommand("prune", new PruneCommand());
    image.addSubcommand("load", new LoadCommand());
    image.addSubcommand("save", new SaveCommand());
    image.addSubcommand("import", new ImportCommand());
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return 0;
  }
}

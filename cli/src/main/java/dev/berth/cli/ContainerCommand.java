package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code berth container ...}: the container commands under docker's management-command names. */
@Command(name = "container", description = "Manage containers", synopsisSubcommandLabel = "COMMAND")
final class ContainerCommand extends BaseCommand {
  static void register(CommandLine container) {
    container.addSubcommand("ls", new PsCommand(), "ps", "list");
    container.addSubcommand("run", new RunCommand());
    container.addSubcommand("create", new CreateCommand());
    container.addSubcommand("start", new StartCommand());
    container.addSubcommand("stop", new StopCommand());
    container.addSubcommand("restart", new RestartCommand());
    container.addSubcommand("kill", new KillCommand());
    container.addSubcommand("pause", new PauseCommand());
    container.addSubcommand("unpause", new UnpauseCommand());
    container.addSubcommand("wait", new WaitCommand());
    container.addSubcommand("rm", new RmCommand(), "remove");
    container.addSubcommand("logs", new LogsCommand());
    container.addSubcommand("exec", new ExecCommand());
    container.addSubcommand("top", new TopCommand());
    container.addSubcommand("attach", new AttachCommand());
    container.addSubcommand("cp", new CpCommand());
    container.addSubcommand("rename", new RenameCommand());
    container.addSubcommand("inspect", new InspectCommand().containersOnly());
    container.addSubcommand("prune", new ContainerPruneCommand());
    for (String positional : new String[] {"run", "create", "exec"}) {
      container.getSubcommands().get(positional).setStopAtPositional(true);
    }
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return 0;
  }
}

package dev.berth.cli;

import dev.berth.registry.RegistryServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth registry serve --config FILE}: runs berth's distribution-spec registry in the
 * foreground until SIGTERM or SIGINT. It needs no daemon: a registry is a server of its own.
 */
@Command(name = "registry", description = "Run an OCI distribution registry", mixinStandardHelpOptions = true,
    subcommands = RegistryCommand.Serve.class, synopsisSubcommandLabel = "COMMAND")
final class RegistryCommand extends BaseCommand {
  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return BerthCli.USAGE_ERROR;
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve a registry as the YAML config file says (listen, storage, auth, tls, gc)")
  static final class Serve extends BaseCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The registry's YAML config file")
    Path config;

    @Override
    public Integer call() throws Exception {
      return RegistryServer.serve(config, err());
    }
  }
}

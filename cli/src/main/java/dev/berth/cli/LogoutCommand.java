package dev.berth.cli;

import dev.berth.distribution.DockerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth logout}: removes the credentials from config.json (or its helper). */
@Command(name = "logout", description = "Log out from a registry")
final class LogoutCommand extends BaseCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER")
  String server;

  @Override
  public Integer call() {
    String registry = server == null ? DockerConfig.HUB_KEY : server;
    boolean had = RegistryAuth.dockerConfig(cli().env()).erase(registry);
    out().println(had ? "Removing login credentials for " + registry : "Not logged in to " + registry);
    return 0;
  }
}

package dev.berth.cli;

import dev.berth.distribution.Credential;
import dev.berth.distribution.DockerConfig;
import dev.berth.oci.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth login}: the daemon checks the credentials (POST /auth); this client stores them in config.json. */
@Command(name = "login", description = "Log in to a registry")
final class LoginCommand extends BaseCommand {
  @Option(names = {"-u", "--username"}, paramLabel = "USER")
  String username;

  @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD")
  String password;

  @Option(names = "--password-stdin", description = "Take the password from stdin")
  boolean passwordStdin;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER")
  String server;

  @Override
  public Integer call() throws IOException {
    if (passwordStdin) {
      if (password != null) {
        throw new CliException("--password and --password-stdin are mutually exclusive");
      }
      password = new String(io().in().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
      throw new CliException("login needs --username and --password (or --password-stdin)");
    }
    String registry = server == null ? DockerConfig.HUB_KEY : server;
    byte[] body = Json.write(Map.of("username", username, "password", password, "serveraddress", registry));
    engine().send("POST", "/auth", out -> out.write(body), "application/json").bytes();
    RegistryAuth.dockerConfig(cli().env()).store(registry, Credential.of(username, password));
    out().println("Login Succeeded");
    return 0;
  }
}

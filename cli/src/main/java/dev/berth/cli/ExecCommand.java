package dev.berth.cli;

import dev.berth.http.RawConnection;
import dev.berth.oci.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth exec}: a command in a running container; exits with its exit status. */
@Command(name = "exec", description = "Execute a command in a running container")
final class ExecCommand extends BaseCommand {
  @Option(names = {"-d", "--detach"}, description = "Detached mode: run command in the background") boolean detach;
  @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open even if not attached") boolean interactive;
  @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY") boolean tty;
  @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set environment variables") List<String> env = new ArrayList<>();
  @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "Username or UID (format: \"<name|uid>[:<group|gid>]\")") String user;
  @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container") String workdir;
  @Option(names = "--privileged", description = "Give extended privileges to the command") boolean privileged;

  @Parameters(index = "0", paramLabel = "CONTAINER")
  String container;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND")
  List<String> command;

  @Override
  public Integer call() throws IOException {
    var b = Json.MAPPER.createObjectNode();
    b.put("User", user == null ? "" : user);
    b.put("Privileged", privileged);
    b.put("Tty", tty);
    b.put("AttachStdin", interactive && !detach);
    b.put("AttachStdout", !detach);
    b.put("AttachStderr", !detach);
    b.put("Detach", detach);
    var e = b.putArray("Env");
    env.forEach(e::add);
    b.put("WorkingDir", workdir == null ? "" : workdir);
    var cmd = b.putArray("Cmd");
    command.forEach(cmd::add);
    byte[] body = Json.write(b);
    String id;
    try (var res = engine().send("POST", "/containers/" + ContainerVerbs.path(container) + "/exec", out -> out.write(body), "application/json")) {
      id = Json.tree(res.bytes(), "exec create answer", 1 << 20).get("Id").asText();
    }
    byte[] start = Json.write(java.util.Map.of("Detach", detach, "Tty", tty));
    if (detach) {
      try (var res = engine().send("POST", "/exec/" + id + "/start", out -> out.write(start), "application/json")) {
        res.bytes();
      }
      return 0;
    }
    try (RawConnection conn = ContainerClient.hijack(engine(), "/exec/" + id + "/start", start)) {
      ContainerClient.withRawTerminal(tty && io().inTerminal(), () -> {
        if (interactive) {
          ContainerClient.pumpStdin(io().in(), conn);
        }
        ContainerClient.relay(conn.input(), tty, out(), err());
        return null;
      });
    }
    return engine().json("GET", "/exec/" + id + "/json").path("ExitCode").asInt();
  }
}

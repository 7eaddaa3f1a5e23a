package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.http.RawConnection;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth attach}: the running container's output (and stdin) here, until it exits. */
@Command(name = "attach", description = "Attach local standard input, output, and error streams to a running container")
final class AttachCommand extends BaseCommand {
  @Option(names = "--no-stdin", description = "Do not attach STDIN") boolean noStdin;

  @Parameters(index = "0", paramLabel = "CONTAINER")
  String container;

  @Override
  public Integer call() throws IOException {
    JsonNode c = engine().json("GET", "/containers/" + ContainerVerbs.path(container) + "/json");
    if (!c.path("State").path("Running").asBoolean()) {
      throw new CliException("You cannot attach to a stopped container, start it first");
    }
    boolean tty = c.path("Config").path("Tty").asBoolean();
    boolean stdin = !noStdin && c.path("Config").path("OpenStdin").asBoolean();
    String id = c.path("Id").asText();
    try (RawConnection conn = ContainerClient.hijack(engine(), "/containers/" + id + "/attach?stream=1&stdout=1&stderr=1"
        + (stdin ? "&stdin=1" : ""), null)) {
      ContainerClient.withRawTerminal(tty && io().inTerminal(), () -> {
        if (stdin) {
          ContainerClient.pumpStdin(io().in(), conn);
        }
        ContainerClient.relay(conn.input(), tty, out(), err());
        return null;
      });
    }
    return engine().json("GET", "/containers/" + id + "/json").path("State").path("ExitCode").asInt();
  }
}

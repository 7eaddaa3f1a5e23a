package dev.berth.cli;

import dev.berth.http.HttpClient;
import dev.berth.http.RawConnection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth run}: create, then either start and print the ID ({@code -d}), or attach, wait and
 * start as docker does, relaying the container's output and exiting with its exit status.
 */
@Command(name = "run", description = "Create and run a new container from an image")
final class RunCommand extends BaseCommand {
  @Mixin ContainerFlags flags;

  @Option(names = {"-d", "--detach"}, description = "Run container in background and print container ID")
  boolean detach;

  @Parameters(index = "0", paramLabel = "IMAGE")
  String image;

  @Parameters(index = "1..*", paramLabel = "COMMAND")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    if (flags.tty && !detach && flags.interactive && !io().inTerminal()) {
      throw new CliException(1, "the input device is not a TTY");
    }
    Engine engine = engine();
    String id = ContainerClient.create(engine, flags, image, command, !detach);
    if (detach) {
      start(engine, id);
      out().println(id);
      return 0;
    }
    String attachQuery = "?stream=1&stdout=1&stderr=1" + (flags.interactive ? "&stdin=1" : "");
    RawConnection conn = ContainerClient.hijack(engine, "/containers/" + id + "/attach" + attachQuery, null);
    HttpClient.Response wait = ContainerClient.startWait(engine, id, flags.autoRemove ? "removed" : "next-exit");
    try (conn) {
      int failed = start(engine, id);
      if (failed != 0) {
        // The wait would never answer for a container that did not start: drop its connection.
        wait.hijack().close();
        if (flags.autoRemove) {
          try (var res = engine.send("DELETE", "/containers/" + id + "?force=1")) {
            res.bytes();
          } catch (DaemonException ignored) {
            // already gone
          }
        }
        return failed;
      }
      return ContainerClient.withRawTerminal(flags.tty && io().inTerminal(), () -> {
        if (flags.interactive) {
          ContainerClient.pumpStdin(io().in(), conn);
        }
        ContainerClient.relay(conn.input(), flags.tty, out(), err());
        return ContainerClient.waitResult(wait);
      });
    }
  }

  /** Starts the container; on failure prints docker's message and returns docker's exit status. */
  private int start(Engine engine, String id) throws IOException {
    try (var res = engine.send("POST", "/containers/" + id + "/start")) {
      res.bytes();
      return 0;
    } catch (DaemonException e) {
      err().println("berth: " + e.getMessage());
      return ContainerClient.startFailureStatus(e.getMessage());
    }
  }
}

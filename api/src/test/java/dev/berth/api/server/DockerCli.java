package dev.berth.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.ProcessResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The stock docker CLI pointed at an in-process berthd: its own config dir and home under the
 * fixture's temp dir, so nothing of the host's docker set-up is read or written.
 */
record DockerCli(Path socket, Path dir) {
  static final Path DOCKER = Path.of("/usr/local/bin/docker");

  Command command(String... args) {
    var argv = new ArrayList<String>(List.of(DOCKER.toString()));
    argv.addAll(List.of(args));
    return Command.of(argv)
        .withEnv("DOCKER_HOST", "unix://" + socket)
        .withEnv("DOCKER_CONFIG", dir.resolve("docker-config").toString())
        .withEnv("HOME", dir.toString())
        .in(dir)
        .withTimeout(Duration.ofSeconds(60));
  }

  ProcessResult run(String... args) {
    return command(args).run();
  }

  /** Its stdout, after asserting that {@code docker args…} succeeded. */
  String ok(String... args) {
    ProcessResult r = run(args);
    assertEquals(0, r.exitCode(), () -> "docker " + String.join(" ", args) + ": " + r.err() + r.out());
    return r.out();
  }
}

package dev.berth.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one daemon call per container named, printing each name on success and each error after,
 * as docker's start, stop, kill, rm, pause and unpause do (exit status 1 if any failed).
 */
final class ContainerVerbs {
  private ContainerVerbs() {}

  @FunctionalInterface
  interface Call {
    void on(String container) throws IOException;
  }

  static int each(BaseCommand cmd, List<String> containers, Call call) throws IOException {
    List<String> errors = new ArrayList<>();
    for (String c : containers) {
      try {
        call.on(c);
        cmd.out().println(c);
      } catch (DaemonException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new CliException(String.join("\n", errors));
    }
    return 0;
  }

  static void post(Engine engine, String target) throws IOException {
    try (var res = engine.send("POST", target)) {
      res.bytes();
    }
  }

  static String path(String container) {
    return Engine.name(container);
  }
}

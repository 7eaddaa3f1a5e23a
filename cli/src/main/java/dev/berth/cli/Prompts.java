package dev.berth.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** docker's "Are you sure you want to continue? [y/N]"; without a terminal on stdin it refuses rather than guess. */
final class Prompts {
  private Prompts() {}

  static boolean confirm(BaseCommand cmd, String warning) throws IOException {
    if (!cmd.io().inTerminal()) {
      throw new CliException("berth: refusing to prune without confirmation: stdin is not a terminal; use -f to prune anyway");
    }
    cmd.out().print(warning + "\nAre you sure you want to continue? [y/N] ");
    cmd.out().flush();
    String answer = new BufferedReader(new InputStreamReader(cmd.io().in(), StandardCharsets.UTF_8)).readLine();
    return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
  }
}

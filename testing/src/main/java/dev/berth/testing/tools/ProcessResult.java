package dev.berth.testing.tools;

import java.util.List;

/** How a command ended: exit code and everything it wrote (decoded as UTF-8). */
public record ProcessResult(List<String> command, int exitCode, String out, String err) {

  public ProcessResult {
    command = List.copyOf(command);
  }

  public boolean ok() {
    return exitCode == 0;
  }

  /** This result if the command exited 0; otherwise a {@link CommandFailedException} naming it. */
  public ProcessResult checked() {
    if (!ok()) {
      throw new CommandFailedException(
          Command.commandLine(command) + ": exit " + exitCode + tail("stderr", err) + tail("stdout", out), this);
    }
    return this;
  }

  private static String tail(String what, String text) {
    var t = text.strip();
    if (t.isEmpty()) {
      return "";
    }
    // Enough to diagnose, short enough for a test report.
    return "\n" + what + ": " + (t.length() > 4000 ? "…" + t.substring(t.length() - 4000) : t);
  }
}

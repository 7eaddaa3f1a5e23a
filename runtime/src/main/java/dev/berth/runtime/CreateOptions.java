package dev.berth.runtime;

import java.util.List;

/**
 * Per-container choices that are not part of the OCI spec.
 *
 * @param runtime the runtime's name (runc, crun, runsc), or null for the daemon's default
 * @param name the container name conmon logs under (Docker's name, or the id)
 * @param tty a pseudo-terminal (also set {@code process.terminal} in the spec: {@link #create} checks they agree)
 * @param stdin keep a stdin pipe open for attach ({@code -i})
 * @param logSizeMax conmon's {@code --log-size-max} in bytes, 0 for no cap
 * @param exitCommand a program and arguments conmon runs when the container exits (to tell berthd), or empty
 */
public record CreateOptions(String runtime, String name, boolean tty, boolean stdin, long logSizeMax,
    List<String> exitCommand) {

  public CreateOptions {
    exitCommand = exitCommand == null ? List.of() : List.copyOf(exitCommand);
  }

  public static CreateOptions defaults() {
    return new CreateOptions(null, null, false, false, 0, List.of());
  }

  public CreateOptions withRuntime(String r) {
    return new CreateOptions(r, name, tty, stdin, logSizeMax, exitCommand);
  }

  public CreateOptions withName(String n) {
    return new CreateOptions(runtime, n, tty, stdin, logSizeMax, exitCommand);
  }

  public CreateOptions withTty(boolean t) {
    return new CreateOptions(runtime, name, t, stdin, logSizeMax, exitCommand);
  }

  public CreateOptions withStdin(boolean s) {
    return new CreateOptions(runtime, name, tty, s, logSizeMax, exitCommand);
  }

  public CreateOptions withLogSizeMax(long bytes) {
    return new CreateOptions(runtime, name, tty, stdin, bytes, exitCommand);
  }

  public CreateOptions withExitCommand(List<String> argv) {
    return new CreateOptions(runtime, name, tty, stdin, logSizeMax, argv);
  }
}

package dev.berth.runtime;

/** The OCI runtimes berth knows how to drive. */
public enum RuntimeKind {
  RUNC("runc"),
  CRUN("crun"),
  /** gVisor: a user-space kernel between the container and the host, run with {@code --platform=ptrace}. */
  RUNSC("runsc");

  private final String command;

  RuntimeKind(String command) {
    this.command = command;
  }

  /** The command name, which is also the runtime's name in berth ({@code --runtime runc}). */
  public String command() {
    return command;
  }
}

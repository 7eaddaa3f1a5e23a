package dev.berth.cli;

/**
 * An error answer of the daemon, printed as docker prints it: {@code Error response from daemon:
 * <message>}, exit status 1.
 */
final class DaemonException extends CliException {
  private final int status;

  DaemonException(int status, String message) {
    super(1, "Error response from daemon: " + message);
    this.status = status;
  }

  int status() {
    return status;
  }
}

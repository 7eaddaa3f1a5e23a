package dev.berth.cli;

/** An error the CLI reports as its message alone, exiting with {@code exitCode}. */
class CliException extends RuntimeException {
  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  CliException(String message) {
    this(1, message);
  }

  int exitCode() {
    return exitCode;
  }
}

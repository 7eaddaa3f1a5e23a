package dev.berth.engine.container;

/**
 * A container's process could not be started; {@link #exitCode()} is what Docker records for it:
 * 127 for a command not found, 126 for one not executable, 128 otherwise.
 */
public final class TaskStartException extends RuntimeException {
  private final int exitCode;

  public TaskStartException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}

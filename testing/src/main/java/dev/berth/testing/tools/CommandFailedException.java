package dev.berth.testing.tools;

/**
 * An external tool failed, timed out or could not start. Not a {@code BerthException}: it reports a
 * fault of the test machine or of a peer tool, never of berth's own contract.
 */
public final class CommandFailedException extends RuntimeException {
  private final transient ProcessResult result;

  public CommandFailedException(String message, ProcessResult result) {
    super(message);
    this.result = result;
  }

  public CommandFailedException(String message, Throwable cause) {
    super(message, cause);
    this.result = null;
  }

  /** What the command produced, or null if it never ran to an exit. */
  public ProcessResult result() {
    return result;
  }
}

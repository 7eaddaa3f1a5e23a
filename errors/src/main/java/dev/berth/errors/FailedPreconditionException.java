package dev.berth.errors;

/** The input is fine but the state does not allow it (e.g. removing an image in use). */
public final class FailedPreconditionException extends BerthException {
  public FailedPreconditionException(String message) {
    super(message, null);
  }

  public FailedPreconditionException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int httpStatus() {
    return 409;
  }

  @Override
  public FailedPreconditionException during(String action) {
    return new FailedPreconditionException(action + ": " + getMessage(), this);
  }
}

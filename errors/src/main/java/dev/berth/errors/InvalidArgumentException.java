package dev.berth.errors;

/** The input is malformed or out of range: fixing the input fixes the call. */
public final class InvalidArgumentException extends BerthException {
  public InvalidArgumentException(String message) {
    super(message, null);
  }

  public InvalidArgumentException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int httpStatus() {
    return 400;
  }

  @Override
  public InvalidArgumentException during(String action) {
    return new InvalidArgumentException(action + ": " + getMessage(), this);
  }
}

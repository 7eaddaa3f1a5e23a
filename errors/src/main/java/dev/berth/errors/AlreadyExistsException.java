package dev.berth.errors;

/** The thing to create exists already, or conflicts with one that does. */
public final class AlreadyExistsException extends BerthException {
  public AlreadyExistsException(String message) {
    super(message, null);
  }

  public AlreadyExistsException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int httpStatus() {
    return 409;
  }

  @Override
  public AlreadyExistsException during(String action) {
    return new AlreadyExistsException(action + ": " + getMessage(), this);
  }
}

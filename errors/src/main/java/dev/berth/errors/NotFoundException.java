package dev.berth.errors;

/** Something named does not exist. */
public final class NotFoundException extends BerthException {
  public NotFoundException(String message) {
    super(message, null);
  }

  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int httpStatus() {
    return 404;
  }

  @Override
  public NotFoundException during(String action) {
    return new NotFoundException(action + ": " + getMessage(), this);
  }
}

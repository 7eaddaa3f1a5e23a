package dev.berth.errors;

/** A dependency (a peer, a daemon, the disk) is not answering; retrying may work. */
public final class UnavailableException extends BerthException {
  public UnavailableException(String message) {
    super(message, null);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public int httpStatus() {
    return 503;
  }

  @Override
  public UnavailableException during(String action) {
    return new UnavailableException(action + ": " + getMessage(), this);
  }
}

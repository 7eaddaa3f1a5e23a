package dev.berth.http;

/**
 * A failure that is only an HTTP status (no route, wrong method), for what the berth error
 * vocabulary does not name. Rendered like any other error.
 */
public final class HttpStatusException extends RuntimeException {
  private final int status;

  public HttpStatusException(int status, String message) {
    super(message);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("not an error status: " + status);
    }
    this.status = status;
  }

  public int status() {
    return status;
  }
}

package dev.berth.registry;

import java.util.Objects;

/**
 * A failure the registry answers with one of the spec's error codes. The status is the code's
 * usual one unless the spec asks for another in context (416 for an out-of-order chunk, 400 for a
 * manifest naming a blob the repository lacks).
 */
public final class RegistryException extends RuntimeException {
  private final ErrorCode code;
  private final int status;
  private final Object detail;
  private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

  public RegistryException(ErrorCode code, int status, String message, Object detail) {
    super(Objects.requireNonNull(message));
    this.code = Objects.requireNonNull(code);
    this.status = status;
    this.detail = detail;
  }

  public RegistryException(ErrorCode code, String message, Object detail) {
    this(code, code.status(), message, detail);
  }

  public RegistryException(ErrorCode code, String message) {
    this(code, code.status(), message, null);
  }

  public ErrorCode code() {
    return code;
  }

  public int status() {
    return status;
  }

  /** Adds a header to the error response (WWW-Authenticate, Range). */
  public RegistryException withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public java.util.Map<String, String> headers() {
    return headers;
  }

  /** Extra facts for the client (the digest that was missing), or null. */
  public Object detail() {
    return detail;
  }
}

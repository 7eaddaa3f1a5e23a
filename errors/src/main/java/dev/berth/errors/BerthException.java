package dev.berth.errors;

/**
 * The one error vocabulary of berth. Every failure that crosses a module boundary is one of these
 * kinds, so that edges (the Engine API, the registry server, the CLI) map them once to HTTP statuses,
 * distribution-spec codes and exit codes.
 *
 * <p>Messages name the action and its subject, e.g. {@code "loading image archive busybox.tar:
 * blob sha256:ab… is 10 bytes, manifest says 12"}.
 */
public abstract sealed class BerthException extends RuntimeException
    permits NotFoundException, AlreadyExistsException, InvalidArgumentException,
        FailedPreconditionException, UnavailableException {

  protected BerthException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The HTTP status this kind of error maps to at every HTTP edge. */
  public abstract int httpStatus();

  /** Prefixes the message with what was being done, keeping the kind and the cause. */
  public abstract BerthException during(String action);
}

package dev.berth.engine.container;

import dev.berth.errors.InvalidArgumentException;

/**
 * Docker's restart policy: {@code no}, {@code on-failure[:N]}, {@code always}, {@code
 * unless-stopped}. {@code maxRetries} only counts for on-failure (0: no limit).
 */
public record RestartPolicy(String name, int maxRetries) {
  public static final RestartPolicy NO = new RestartPolicy("no", 0);

  public RestartPolicy {
    name = name == null || name.isEmpty() ? "no" : name;
    switch (name) {
      case "no", "always", "unless-stopped" -> {
        if (maxRetries != 0) {
          throw new InvalidArgumentException("invalid restart policy: maximum retry count can only be used with 'on-failure'");
        }
      }
      case "on-failure" -> {
        if (maxRetries < 0) {
          throw new InvalidArgumentException("invalid restart policy: maximum retry count cannot be negative");
        }
      }
      default -> throw new InvalidArgumentException("invalid restart policy: unknown policy '" + name
          + "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
    }
  }

  /** {@code --restart} syntax: {@code on-failure:3}. */
  public static RestartPolicy parse(String text) {
    if (text == null || text.isEmpty()) {
      return NO;
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      return new RestartPolicy(text, 0);
    }
    try {
      return new RestartPolicy(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("invalid restart policy format: maximum retry count must be an integer: " + text);
    }
  }

  /**
   * Whether a container that exited with {@code exitCode} restarts: never after an explicit stop,
   * on-failure only for non-zero codes within the retry budget.
   */
  public boolean restartsAfter(int exitCode, boolean stoppedByUser, int restartCount) {
    if (stoppedByUser) {
      return false;
    }
    return switch (name) {
      case "always", "unless-stopped" -> true;
      case "on-failure" -> exitCode != 0 && (maxRetries == 0 || restartCount < maxRetries);
      default -> false;
    };
  }

  /** Whether the daemon starts the container again when it starts (after a reboot or a crash). */
  public boolean restartsWithDaemon(boolean stoppedByUser) {
    return !stoppedByUser && (name.equals("always") || name.equals("unless-stopped"));
  }

  @Override
  public String toString() {
    return name.equals("on-failure") && maxRetries > 0 ? name + ":" + maxRetries : name;
  }
}

package dev.berth.runtime;

import java.util.List;

/**
 * An exec session's process ({@code docker exec [-it] [-e] [-u] [-w]}); null user/workingDir mean
 * the container's. {@code env} entries replace the container's same-named ones.
 */
public record ExecOptions(List<String> args, List<String> env, String user, String workingDir, boolean tty,
    boolean attach) {
  public ExecOptions {
    args = List.copyOf(args);
    env = env == null ? List.of() : List.copyOf(env);
  }

  public static ExecOptions of(String... args) {
    return new ExecOptions(List.of(args), List.of(), null, null, false, false);
  }
}

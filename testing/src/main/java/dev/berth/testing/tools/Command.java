package dev.berth.testing.tools;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A command line to run: argv, extra environment, working directory, timeout and optional stdin.
 * Immutable; the {@code with*} methods return a new value.
 *
 * <pre>{@code
 * ProcessResult r = Command.of("skopeo", "--version").withTimeout(Duration.ofSeconds(10)).checked();
 * }</pre>
 */
public record Command(List<String> argv, Map<String, String> env, Path dir, Duration timeout, byte[] input) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);

  public Command {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("a command needs at least a program");
    }
    env = Map.copyOf(env);
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  public static Command of(String... argv) {
    return of(List.of(argv));
  }

  public static Command of(List<String> argv) {
    return new Command(argv, Map.of(), null, DEFAULT_TIMEOUT, null);
  }

  /** Appends arguments. */
  public Command args(String... more) {
    var all = new ArrayList<>(argv);
    all.addAll(List.of(more));
    return new Command(all, env, dir, timeout, input);
  }

  public Command withEnv(String name, String value) {
    var all = new HashMap<>(env);
    all.put(name, value);
    return new Command(argv, all, dir, timeout, input);
  }

  public Command withEnv(Map<String, String> more) {
    var all = new HashMap<>(env);
    all.putAll(more);
    return new Command(argv, all, dir, timeout, input);
  }

  public Command in(Path workingDir) {
    return new Command(argv, env, workingDir, timeout, input);
  }

  public Command withTimeout(Duration t) {
    return new Command(argv, env, dir, t, input);
  }

  public Command withInput(byte[] stdin) {
    return new Command(argv, env, dir, timeout, stdin.clone());
  }

  /** Runs it; a non-zero exit is a result, not an exception. */
  public ProcessResult run() {
    return ProcessRunner.run(this);
  }

  /** Runs it and throws {@link CommandFailedException} unless it exits 0. */
  public ProcessResult checked() {
    return run().checked();
  }

  /** The command line as a shell would need it, for messages. */
  public String commandLine() {
    return commandLine(argv);
  }

  static String commandLine(List<String> argv) {
    return argv.stream().map(Command::quote).collect(Collectors.joining(" "));
  }

  private static String quote(String s) {
    if (!s.isEmpty() && s.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,@+%".indexOf(c) >= 0)) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }

  @Override
  public String toString() {
    return commandLine();
  }
}

package dev.berth.logs;

import dev.berth.errors.InvalidArgumentException;

/** The stream a log record came from, with its name in the log file and its Docker stream type. */
public enum LogStream {
  STDOUT("stdout", 1),
  STDERR("stderr", 2);

  private final String id;
  private final int dockerType;

  LogStream(String id, int dockerType) {
    this.id = id;
    this.dockerType = dockerType;
  }

  /** "stdout" or "stderr", as conmon writes it. */
  public String id() {
    return id;
  }

  /** The stream type byte of Docker's multiplexed stream header (1 stdout, 2 stderr). */
  public int dockerType() {
    return dockerType;
  }

  public static LogStream parse(String id) {
    return switch (id) {
      case "stdout" -> STDOUT;
      case "stderr" -> STDERR;
      default -> throw new InvalidArgumentException("unknown log stream \"" + id + "\": want stdout or stderr");
    };
  }
}

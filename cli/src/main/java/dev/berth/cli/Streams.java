package dev.berth.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLI's standard streams, and whether they are terminals. Commands write bytes (save writes a
 * tar to stdout), so they get {@link PrintStream}s rather than picocli's writers; tests pass their
 * own buffers and say what is a terminal.
 */
record Streams(InputStream in, PrintStream out, PrintStream err, boolean inTerminal, boolean outTerminal) {

  static Streams system() {
    return new Streams(System.in, System.out, System.err, isTerminal(0), isTerminal(1));
  }

  /**
   * Whether file descriptor {@code fd} of this process is a terminal. Linux only, like berth:
   * {@code Console.isTerminal()} answers for stdin and stdout together, and save and load each
   * care about one of them.
   */
  static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (Exception e) {
      return false;
    }
  }
}

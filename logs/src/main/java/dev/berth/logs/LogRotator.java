package dev.berth.logs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Rotates a container's log as Docker's json-file driver does for {@code --log-opt max-size=…
 * --log-opt max-file=…}, with conmon as the writer.
 *
 * <p>Why this design: conmon's own {@code --log-size-max} does not rotate, it <em>replaces</em>
 * the log with an empty file (open {@code log.tmp}, rename over {@code log}), losing what was
 * there. conmon does reopen its log on request, by the same rename dance, when "2 0 0\n"
 * (REOPEN_LOGS_EVENT) is written to the {@code ctl} FIFO in its bundle directory; this is how
 * CRI-O serves the kubelet's log rotation. So berthd checks the size, and when the log has
 * reached {@code max-size} it shifts {@code log.1} → {@code log.2} … (dropping the oldest
 * beyond {@code max-file}), renames {@code log} → {@code log.1} and asks conmon to reopen:
 * lines written between the rename and the reopen land in {@code log.1}, through conmon's still
 * open descriptor, so nothing is lost. With {@code max-file=1} there is nothing to keep: the
 * reopen alone empties the log, as Docker truncates it. {@link LogReader} reads
 * {@code log.N … log.1, log} in order, and a follower drains {@code log.1} before it moves on.
 * The size is checked by polling ({@link #watch}), so a log may overshoot {@code max-size} by
 * what the container writes in one interval; while berthd is down nothing rotates (conmon keeps
 * writing; the next check rotates).
 *
 * <pre>{@code
 * var rotator = new LogRotator(ctrDir.resolve("ctr.log"), LogOptions.parse(logOpts),
 *     new ConmonLogReopener(bundleDir));
 * AutoCloseable watching = rotator.watch(Duration.ofSeconds(1));   // while the container runs
 * ...
 * watching.close();
 * }</pre>
 */
public final class LogRotator {
  /** Makes the writer reopen the log at its path, e.g. {@link ConmonLogReopener}. */
  @FunctionalInterface
  public interface Reopener {
    void reopen() throws IOException;
  }

  private static final System.Logger LOG = System.getLogger(LogRotator.class.getName());

  private final Path log;
  private final LogOptions options;
  private final Reopener reopener;

  public LogRotator(Path log, LogOptions options, Reopener reopener) {
    this.log = log;
    this.options = options;
    this.reopener = reopener;
  }

  /** Rotates if the log has reached {@code max-size}; true if it did. */
  public synchronized boolean rotateIfNeeded() throws IOException {
    if (!options.rotates()) {
      return false;
    }
    long size;
    try {
      size = Files.size(log);
    } catch (NoSuchFileException e) {
      return false; // just rotated, the writer has not reopened yet
    }
    if (size < options.maxSize()) {
      return false;
    }
    rotate();
    return true;
  }

  /** Rotates now, whatever the size. */
  public synchronized void rotate() throws IOException {
    int keep = options.maxFiles() - 1;
    if (keep > 0) {
      Files.deleteIfExists(LogReader.rotatedPath(log, keep));
      for (int i = keep - 1; i >= 1; i--) {
        Path from = LogReader.rotatedPath(log, i);
        if (Files.exists(from)) {
          Files.move(from, LogReader.rotatedPath(log, i + 1), StandardCopyOption.ATOMIC_MOVE);
        }
      }
      Files.move(log, LogReader.rotatedPath(log, 1), StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      reopener.reopen();
    } catch (IOException | RuntimeException e) {
      // The writer is gone (the container exited between the size check and the rename): nobody
      // will recreate the log, so leave the empty file it would have made.
      ensureLog();
      throw e;
    }
  }

  /**
   * Creates the log, empty, if a rotation renamed it away and no writer recreated it. Called once
   * the writer is gone (see {@link #watch}): a reopen asked of a conmon that exits before it acts
   * on it leaves no file at the path, and the log must still end with it.
   */
  synchronized void ensureLog() throws IOException {
    if (Files.notExists(log) && Files.isDirectory(log.toAbsolutePath().getParent())) {
      try {
        Files.createFile(log);
        LOG.log(System.Logger.Level.INFO, "recreated " + log + ": its writer exited before reopening it after a rotation");
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // The writer recreated it meanwhile: that one is the log.
      }
    }
  }

  /**
   * Checks every {@code interval} on a virtual thread until closed. Failures (e.g. conmon gone)
   * are logged, not thrown: the container's end stops the watch through {@code close()}, which
   * also recreates the log, empty, if a last rotation renamed it away and nobody reopened it.
   */
  public AutoCloseable watch(Duration interval) {
    Thread t = Thread.ofVirtual().name("log-rotator " + log).start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          rotateIfNeeded();
        } catch (IOException | RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "rotating " + log + ": " + e.getMessage());
        }
        try {
          Thread.sleep(interval);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    return () -> {
      t.interrupt();
      t.join();
      // The last rotation may have raced with the writer's exit (it renamed the log, then conmon
      // exited without reopening): the log path must not be left without a file.
      ensureLog();
    };
  }
}

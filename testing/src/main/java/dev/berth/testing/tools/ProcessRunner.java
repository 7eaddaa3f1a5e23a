package dev.berth.testing.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a {@link Command}: both streams drained concurrently so a chatty tool can never block on a full pipe. */
public final class ProcessRunner {
  private ProcessRunner() {}

  public static ProcessResult run(Command cmd) {
    var pb = new ProcessBuilder(cmd.argv());
    if (cmd.dir() != null) {
      pb.directory(cmd.dir().toFile());
    }
    pb.environment().putAll(cmd.env());
    if (cmd.input() == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new CommandFailedException(cmd.commandLine() + ": cannot start: " + e.getMessage(), e);
    }
    var out = drain(p.getInputStream());
    var err = drain(p.getErrorStream());
    if (cmd.input() != null) {
      Thread.ofVirtual().start(() -> {
        try (var in = p.getOutputStream()) {
          in.write(cmd.input());
        } catch (IOException ignored) {
          // The process exited without reading all of stdin; its exit code tells the story.
        }
      });
    }
    long deadline = System.nanoTime() + cmd.timeout().toNanos();
    try {
      if (!p.waitFor(cmd.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
        kill(p);
        throw new CommandFailedException(cmd.commandLine() + ": timed out after " + cmd.timeout()
            + partial(out, err), (Throwable) null);
      }
      // A daemonised grandchild may keep our pipes open; don't wait for it past the deadline.
      long left = Math.max(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(5));
      return new ProcessResult(cmd.argv(), p.exitValue(),
          out.get(left, TimeUnit.NANOSECONDS), err.get(left, TimeUnit.NANOSECONDS));
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
      throw new CommandFailedException(cmd.commandLine() + ": interrupted", e);
    } catch (TimeoutException e) {
      throw new CommandFailedException(cmd.commandLine() + ": exited " + p.exitValue()
          + " but a child still holds its stdout/stderr open", e);
    } catch (ExecutionException e) {
      throw new CommandFailedException(cmd.commandLine() + ": reading its output: " + e.getCause(), e.getCause());
    }
  }

  private static CompletableFuture<String> drain(InputStream in) {
    var f = new CompletableFuture<String>();
    Thread.ofVirtual().start(() -> {
      try (in) {
        f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        f.completeExceptionally(new UncheckedIOException(e));
      }
    });
    return f;
  }

  private static String partial(CompletableFuture<String> out, CompletableFuture<String> err) {
    try {
      return "\nstderr so far: " + err.get(2, TimeUnit.SECONDS).strip()
          + "\nstdout so far: " + out.get(2, TimeUnit.SECONDS).strip();
    } catch (Exception e) {
      return "";
    }
  }

  /** Kills the process and whatever it started, children first so none is reparented and lost. */
  static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

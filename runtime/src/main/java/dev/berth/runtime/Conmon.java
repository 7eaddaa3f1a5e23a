package dev.berth.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.errors.UnavailableException;
import dev.berth.oci.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * conmon, the container monitor: one per container (and per exec session), detached from berthd
 * (it double-forks and calls setsid), so a dead daemon stops neither the container nor its log.
 * It runs the runtime's {@code create} (or {@code exec}), writes stdout/stderr to a k8s-file log,
 * serves the attach socket and the {@code ctl} fifo, and writes the exit code to
 * {@code EXIT_DIR/ID} and {@code PERSIST_DIR/exit} (and {@code oom} on an OOM kill).
 *
 * <p>It reports to its parent over the "sync pipe" ({@code _OCI_SYNCPIPE}, an inherited fd):
 * {@code {"data": PID}} once the process exists, a negative value with {@code "message"} when the
 * runtime failed, and for exec sessions a second record with the exit code. The JDK cannot hand a
 * child an extra fd, so a one-line {@code sh} wrapper moves the stdout pipe to fd 3 (and stdin to
 * fd 4 for {@code _OCI_STARTPIPE}) before exec'ing conmon. conmon runs with {@code --sync} (no
 * daemonising fork; it still calls setsid and ignores SIGPIPE): the JDK closes a child's pipes
 * when the child exits, and conmon's daemonising parent would exit at once, taking the sync pipe
 * with it. Its pid (written to {@code conmon.pid} by {@link Started#pid}) is the container's
 * monitor; if berthd dies, conmon is re-parented and carries on.
 */
public final class Conmon {
  /** One launch: the argv (after the wrapper) and whether a start pipe is wired. */
  public record Launch(List<String> argv, boolean startPipe) {}

  /** Options of one conmon: each renders its own flags. */
  public record Options(
      String id, String sessionId, OciRuntime runtime, Path bundle, Path pidFile,
      String name, Path exitDir, Path persistDir, Path logPath, long logSizeMax, Path socketDir,
      boolean tty, boolean stdin, Path execProcessSpec, boolean execAttach, List<String> exitCommand) {

    public List<String> argv(Path conmon) {
      var a = new ArrayList<String>();
      a.add(conmon.toString());
      a.addAll(List.of("--api-version", "1", "-c", id, "-u", sessionId, "-r", runtime.binary().toString(),
          "-b", bundle.toString(), "-p", pidFile.toString(), "-n", name, "--exit-dir", exitDir.toString(),
          "-0", persistDir.toString(), "-l", "k8s-file:" + logPath, "--socket-dir-path", socketDir.toString(),
          "--log-level", "error", "--syslog", "--sync"));
      if (logSizeMax > 0) {
        a.addAll(List.of("--log-size-max", Long.toString(logSizeMax)));
      }
      for (var g : runtime.globalArgs()) {
        a.add("--runtime-arg");
        a.add(g);
      }
      if (tty) {
        a.add("-t");
      }
      if (stdin) {
        a.add("-i");
      }
      if (execProcessSpec != null) {
        a.addAll(List.of("-e", "--exec-process-spec", execProcessSpec.toString()));
        if (execAttach) {
          a.add("--exec-attach");
        }
      }
      if (exitCommand != null && !exitCommand.isEmpty()) {
        a.addAll(List.of("--exit-command", exitCommand.getFirst()));
        for (var arg : exitCommand.subList(1, exitCommand.size())) {
          a.addAll(List.of("--exit-command-arg", arg));
        }
      }
      return a;
    }
  }

  /** A started conmon: its sync pipe to read reports from, and the start pipe to release it. */
  public static final class Started implements AutoCloseable {
    private final Process wrapper;
    private final BufferedReader sync;
    private final OutputStream start;
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stderrReader;

    private Started(Process wrapper) {
      this.wrapper = wrapper;
      this.sync = new BufferedReader(new InputStreamReader(wrapper.getInputStream(), StandardCharsets.UTF_8));
      this.start = wrapper.getOutputStream();
      this.stderrReader = Thread.ofVirtual().start(() -> {
        try (var r = new BufferedReader(new InputStreamReader(wrapper.getErrorStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            synchronized (stderr) {
              stderr.append(line).append('\n');
            }
          }
        } catch (IOException ignored) {
          // conmon detached its stderr; what we have is all there is.
        }
      });
    }

    /** conmon's pid (the wrapper exec'd into it). */
    public long pid() {
      return wrapper.pid();
    }

    /** The next report on the sync pipe: {@code data} and optional {@code message}. */
    public Report next(String what) {
      try {
        var line = sync.readLine();
        if (line == null) {
          wrapper.waitFor(5, TimeUnit.SECONDS);
          stderrReader.join(2000);
          String err;
          synchronized (stderr) {
            err = stderr.toString().strip();
          }
          throw new UnavailableException(what + ": conmon exited without reporting"
              + (err.isEmpty() ? " (see syslog for its messages)" : ": " + err));
        }
        JsonNode n = Json.tree(line.getBytes(StandardCharsets.UTF_8), "conmon report", 1 << 20);
        return new Report(n.path("data").asInt(), n.has("message") ? n.get("message").asText() : null);
      } catch (IOException e) {
        throw new UnavailableException(what + ": reading conmon's sync pipe: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnavailableException(what + ": interrupted", e);
      }
    }

    /** Lets a conmon waiting on its start pipe go on. */
    public void release() {
      try {
        start.write('0');
        start.flush();
      } catch (IOException e) {
        throw new UnavailableException("releasing conmon's start pipe: " + e.getMessage(), e);
      }
    }

    /** Drops our ends of the pipes: conmon carries on without us (it ignores SIGPIPE). */
    @Override
    public void close() {
      try {
        sync.close();
      } catch (IOException ignored) {
        // Closing a pipe end cannot fail in a way that matters here.
      }
      try {
        start.close();
      } catch (IOException ignored) {
        // As above.
      }
    }
  }

  /** A sync-pipe record: a pid (positive), a failure (negative, with the runtime's message), or an exit code. */
  public record Report(int data, String message) {}

  private static final String WRAPPER = "exec 3>&1 >/dev/null </dev/null; exec \"$@\"";
  private static final String WRAPPER_WITH_START = "exec 3>&1 4<&0 >/dev/null </dev/null; exec \"$@\"";

  private Conmon() {}

  /** Starts conmon with {@code options}; {@code startPipe} makes it wait for {@link Started#release}. */
  public static Started start(Path conmon, Options options, boolean startPipe, boolean attachPipe) {
    var argv = new ArrayList<String>(List.of("/bin/sh", "-c", startPipe ? WRAPPER_WITH_START : WRAPPER, "conmon"));
    argv.addAll(options.argv(conmon));
    var pb = new ProcessBuilder(argv).directory(options.persistDir().toFile());
    var env = pb.environment();
    env.put("_OCI_SYNCPIPE", "3");
    if (startPipe) {
      env.put("_OCI_STARTPIPE", "4");
    }
    if (attachPipe) {
      env.put("_OCI_ATTACHPIPE", "3");
    }
    try {
      return new Started(pb.start());
    } catch (IOException e) {
      throw new UnavailableException("starting conmon " + conmon + ": " + e.getMessage(), e);
    }
  }
}

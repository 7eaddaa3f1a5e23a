package dev.berth.runtime;

import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.NotFoundException;
import dev.berth.errors.UnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One OCI runtime binary (runc, crun or runsc) and how to call it: its global options and each
 * verb render their own argv (go-runc style), so the differences between runtimes live here.
 *
 * <pre>{@code
 * var runc = OciRuntime.of(RuntimeKind.RUNC, Path.of("/usr/sbin/runc"), stateRoot.resolve("runc"));
 * runc.run(new OciRuntime.Kill("ctr1", 15, false));
 * RuntimeState st = runc.state("ctr1");
 * }</pre>
 *
 * @param root the runtime's own state directory ({@code --root}), one per runtime under berth's root
 */
public record OciRuntime(String name, RuntimeKind kind, Path binary, Path root, List<String> extraArgs) {

  public OciRuntime {
    extraArgs = List.copyOf(extraArgs);
  }

  public static OciRuntime of(RuntimeKind kind, Path binary, Path root) {
    return new OciRuntime(kind.command(), kind, binary, root, List.of());
  }

  /** Options before the verb: {@code --root}, and for runsc its platform (ptrace runs everywhere). */
  public List<String> globalArgs() {
    var args = new ArrayList<String>();
    args.add("--root=" + root);
    if (kind == RuntimeKind.RUNSC) {
      args.add("--platform=ptrace");
    }
    args.addAll(extraArgs);
    return args;
  }

  /**
   * This runtime as one container needs it called (every verb: runsc reads them at start too). runsc needs its network mode spelled out: {@code host} when
   * the spec has no net namespace, {@code none} for a fresh one (its default, "sandbox", wants a
   * namespace already configured, i.e. one given by path).
   *
   * @param network "host", "none" or "sandbox"
   */
  public OciRuntime forNetwork(String network) {
    if (kind != RuntimeKind.RUNSC) {
      return this;
    }
    var args = new ArrayList<>(extraArgs);
    args.add("--network=" + network);
    return new OciRuntime(name, kind, binary, root, args);
  }

  /** A verb of the runtime CLI; {@link #argv} is what follows the global options. */
  public sealed interface Call permits State, Start, Kill, Pause, Resume, Delete, Run {
    String id();

    List<String> argv(RuntimeKind kind);
  }

  public record State(String id) implements Call {
    public List<String> argv(RuntimeKind kind) {
      return List.of("state", id);
    }
  }

  public record Start(String id) implements Call {
    public List<String> argv(RuntimeKind kind) {
      return List.of("start", id);
    }
  }

  /** kill: {@code all} signals every process of the container (needed once pid 1 has gone or for host pid ns). */
  public record Kill(String id, int signal, boolean all) implements Call {
    public List<String> argv(RuntimeKind kind) {
      return all ? List.of("kill", "--all", id, Integer.toString(signal)) : List.of("kill", id, Integer.toString(signal));
    }
  }

  public record Pause(String id) implements Call {
    public List<String> argv(RuntimeKind kind) {
      return List.of("pause", id);
    }
  }

  public record Resume(String id) implements Call {
    public List<String> argv(RuntimeKind kind) {
      return List.of("resume", id);
    }
  }

  public record Delete(String id, boolean force) implements Call {
    public List<String> argv(RuntimeKind kind) {
      return force ? List.of("delete", "--force", id) : List.of("delete", id);
    }
  }

  /** run in the foreground (used by the probe only; containers go through conmon). */
  public record Run(String id, Path bundle) implements Call {
    public List<String> argv(RuntimeKind kind) {
      return List.of("run", "--bundle", bundle.toString(), id);
    }
  }

  /** The full command line for {@code call}. */
  public List<String> argv(Call call) {
    var argv = new ArrayList<String>();
    argv.add(binary.toString());
    argv.addAll(globalArgs());
    argv.addAll(call.argv(kind));
    return argv;
  }

  /** What a call printed, and how it ended. */
  public record Result(int exitCode, String out, String err) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** The runtime's own message: the last line of stderr, without logrus decoration. */
    public String message() {
      var lines = err.strip().lines().toList();
      var last = lines.isEmpty() ? out.strip() : lines.getLast();
      var m = java.util.regex.Pattern.compile("msg=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(last);
      return m.find() ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : last;
    }
  }

  /** Runs {@code call}; a non-zero exit is a result. */
  public Result exec(Call call) {
    var pb = new ProcessBuilder(argv(call)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      var p = pb.start();
      var errBuf = new byte[][] {new byte[0]};
      var err = Thread.ofVirtual().start(() -> {
        try {
          errBuf[0] = p.getErrorStream().readAllBytes();
        } catch (IOException ignored) {
          // The stream closed under us; the exit code tells the story.
        }
      });
      var out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new UnavailableException(name + " " + String.join(" ", call.argv(kind)) + ": no answer in 60 s");
      }
      err.join();
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
          new String(errBuf[0], StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UnavailableException("running " + binary + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted running " + name, e);
    }
  }

  /** Runs {@code call} and fails with the runtime's message unless it exits 0. */
  public Result run(Call call) {
    var r = exec(call);
    if (!r.ok()) {
      var what = name + " " + call.argv(kind).getFirst() + " " + call.id();
      var msg = r.message();
      if (msg.contains("does not exist") || msg.contains("not found") || msg.contains("no such")) {
        throw new NotFoundException(what + ": " + msg);
      }
      throw new FailedPreconditionException(what + ": " + msg);
    }
    return r;
  }

  /** The runtime's view of a container, or empty when it knows no such container. */
  public java.util.Optional<RuntimeState> state(String id) {
    var r = exec(new State(id));
    if (!r.ok()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(RuntimeState.parse(r.out(), name + " state " + id));
  }
}

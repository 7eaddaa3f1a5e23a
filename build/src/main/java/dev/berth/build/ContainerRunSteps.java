package dev.berth.build;

import dev.berth.content.BlobInfo;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.errors.BerthException;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.logs.LogQuery;
import dev.berth.logs.LogReader;
import dev.berth.oci.ContainerConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.ContainerStatus;
import dev.berth.runtime.CreateOptions;
import dev.berth.runtime.spec.ContainerSpecs;
import dev.berth.runtime.spec.HostLimits;
import dev.berth.runtime.spec.MountSpec;
import dev.berth.runtime.spec.RootfsPath;
import dev.berth.runtime.spec.RunConfig;
import dev.berth.runtime.spec.Spec;
import dev.berth.snapshot.Differ;
import dev.berth.snapshot.LayerUnpacker;
import dev.berth.snapshot.Mount;
import dev.berth.snapshot.Snapshotter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs RUN steps as containers, on the same path {@code docker run} takes: the parent layers
 * unpacked once per chain ID by the {@link LayerUnpacker}, a writable snapshot on top mounted as
 * the rootfs, the argv run by the OCI runtime under conmon (no network unless the step says
 * {@code --network=host}), its output followed live from conmon's log, and, on exit 0, the
 * snapshot's changes taken by the {@link Differ} as an uncompressed layer (whiteouts for
 * deletions), verified into the content store.
 *
 * <p>The finished snapshot is then committed under the new layer's chain ID, so the next step
 * starts on it without unpacking the layer again; anything else (a failure, an empty change, a
 * chain already there) removes it. The container, its mount and its scratch files go in every case.
 *
 * <pre>{@code
 * var runs = new ContainerRunSteps(runtime, snapshotter, store.content(), root.resolve("build-mounts"));
 * var builder = new Builder(store, BuildCache.at(root.resolve("build-cache")), root.resolve("tmp"), runs);
 * }</pre>
 *
 * <p>A shebang heredoc ({@code RUN <<EOF} whose body starts with {@code #!}) is written to a file
 * and run as a program, as BuildKit does; the file is bind-mounted at {@code /dev/pipes/NAME}, on
 * the container's /dev tmpfs, so it never becomes part of the layer.
 */
public final class ContainerRunSteps implements RunStepExecutor {
  private static final System.Logger LOG = System.getLogger("dev.berth.build");
  /** How many output lines a failure message repeats. */
  static final int TAIL_LINES = 20;
  /** Prefix of the container IDs and snapshot keys of build steps; what {@link #removeInterrupted} looks for. */
  public static final String PREFIX = "build-";

  private final ContainerRuntime runtime;
  private final Snapshotter snapshotter;
  private final ContentStore content;
  private final LayerUnpacker unpacker;
  private final Path scratch;
  private final HostLimits host = HostLimits.ofThisProcess();

  /**
   * @param scratch a directory for heredoc files and {@code --mount=type=cache} directories
   */
  public ContainerRunSteps(ContainerRuntime runtime, Snapshotter snapshotter, ContentStore content, Path scratch) {
    this.runtime = runtime;
    this.snapshotter = snapshotter;
    this.content = content;
    this.unpacker = new LayerUnpacker(snapshotter, content);
    this.scratch = scratch;
  }

  /**
   * Removes what build steps a crash interrupted left: their containers and snapshots. Call when
   * the daemon starts, before any build runs.
   */
  public void removeInterrupted() {
    for (ContainerStatus c : runtime.list()) {
      if (c.id().startsWith(PREFIX)) {
        quietly("deleting build container " + c.id(), () -> runtime.delete(c.id(), true));
      }
    }
    for (var s : snapshotter.list()) {
      if (s.name().startsWith(PREFIX)) {
        quietly("unmounting " + s.name(), () -> Mount.unmount(mountPoint(s.name())));
        quietly("removing build snapshot " + s.name(), () -> snapshotter.remove(s.name()));
      }
    }
  }

  @Override
  public Optional<Layer> run(RunStep step) {
    String id = PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    List<Digest> parentDiffIds = step.parentConfig().rootfs() == null ? List.of() : step.parentConfig().rootfs().diffIds();
    String parent = unpacker.unpack(step.parentLayers(), parentDiffIds);
    Path target = mountPoint(id);
    Path files = scratch.resolve(id);
    boolean keepSnapshot = false;
    List<Mount> mounts = snapshotter.prepare(id, parent);
    try {
      Files.createDirectories(target);
      Mount.mountAll(mounts, target);
      RunConfig run = runConfig(step, target, files);
      Spec spec = ContainerSpecs.forContainer(ContainerConfig.EMPTY, run, target, runtime.cgroupsPath(id), host);
      execute(id, spec, step);
      Mount.unmount(target);
      Optional<Layer> layer = diff(id, step.mtimeNotAfter());
      if (layer.isPresent()) {
        List<Digest> diffIds = new ArrayList<>(parentDiffIds);
        diffIds.add(layer.get().diffId());
        String chain = LayerUnpacker.chainIds(diffIds).getLast().toString();
        if (snapshotter.stat(chain).isEmpty()) {
          snapshotter.commit(chain, id);
          keepSnapshot = true;
        }
      }
      return layer;
    } catch (IOException e) {
      throw new UncheckedIOException("running build step in " + target + ": " + e.getMessage(), e);
    } finally {
      quietly("deleting build container " + id, () -> {
        try {
          runtime.delete(id, true);
        } catch (NotFoundException e) {
          // never created
        }
      });
      quietly("unmounting " + target, () -> Mount.unmount(target));
      if (!keepSnapshot) {
        quietly("removing build snapshot " + id, () -> snapshotter.remove(id));
      }
      quietly("removing " + target, () -> BuildContext.deleteTree(target));
      quietly("removing " + files, () -> BuildContext.deleteTree(files));
    }
  }

  private Path mountPoint(String id) {
    return snapshotter.root().resolve("mnt").resolve(id);
  }

  /** The container's run options: the step's argv, env, user, workdir, network and mounts. */
  private RunConfig runConfig(RunStep step, Path rootfs, Path files) throws IOException {
    List<String> argv = new ArrayList<>(step.argv());
    var b = RunConfig.builder();
    Instruction.Heredoc script = shebangScript(step);
    if (script != null) {
      // BuildKit runs such a heredoc as a file; /dev is the container's tmpfs, so no trace stays in the layer.
      Path file = Files.createDirectories(files).resolve("heredoc-" + safeName(script.name()));
      Files.writeString(file, script.body(), StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      String inContainer = "/dev/pipes/" + safeName(script.name());
      b.mount(new MountSpec.Bind(file.toString(), inContainer, true));
      argv = List.of(inContainer);
    }
    for (Instruction.RunMount m : step.mounts()) {
      b.mount(mount(m, files));
    }
    String network = step.network() == null ? "default" : step.network();
    b.network(switch (network) {
      case "host" -> new RunConfig.Network.Host();
      case "none", "default" -> new RunConfig.Network.None();
      default -> throw new InvalidArgumentException("RUN --network=" + network + ": want default, none or host");
    });
    // The working directory is created as the classic builder does: owned by root, in the layer.
    Path wd = RootfsPath.resolve(rootfs, step.workdir());
    if (!Files.isDirectory(wd)) {
      Files.createDirectories(wd);
    }
    return b.entrypoint(argv).cmd(List.of()).env(step.env()).user(step.user()).workingDir(step.workdir()).build();
  }

  /** The single heredoc of a shell-form RUN whose body is a script with a {@code #!} line; else null. */
  static Instruction.Heredoc shebangScript(RunStep step) {
    if (step.heredocs().size() != 1 || step.argv().isEmpty()) {
      return null;
    }
    Instruction.Heredoc h = step.heredocs().getFirst();
    return h.body().startsWith("#!") && step.argv().getLast().equals(h.body()) ? h : null;
  }

  private static String safeName(String heredocName) {
    String s = heredocName.replaceAll("[^A-Za-z0-9_.-]", "_");
    return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
  }

  /** {@code --mount}: tmpfs, and cache (a directory kept across builds under the scratch root). */
  private MountSpec mount(Instruction.RunMount m, Path files) throws IOException {
    String target = m.target();
    if (target == null || target.isEmpty()) {
      throw new InvalidArgumentException("RUN --mount=type=" + m.type() + ": a target is required");
    }
    String abs = target.startsWith("/") ? target : "/" + target;
    return switch (m.type()) {
      case "tmpfs" -> new MountSpec.Tmpfs(abs, m.options().containsKey("size") ? List.of("size=" + m.options().get("size"))
          : List.of());
      case "cache" -> {
        String cacheId = m.options().getOrDefault("id", abs);
        Path dir = scratch.resolveSibling(scratch.getFileName() + "-cache").resolve(
            Digest.sha256(cacheId.getBytes(StandardCharsets.UTF_8)).hex());
        Files.createDirectories(dir);
        yield new MountSpec.Bind(dir.toString(), abs, "true".equals(m.options().get("readonly"))
            || "true".equals(m.options().get("ro")));
      }
      default -> throw new InvalidArgumentException("RUN --mount=type=" + m.type()
          + " is not supported by berth yet (tmpfs and cache are)");
    };
  }

  /**
   * Creates and starts the container, passes its output on line by line as conmon logs it, and
   * waits for it; a non-zero exit (or a command that cannot start) is a failure naming the
   * command, its exit code and the last lines of its output.
   */
  private void execute(String id, Spec spec, RunStep step) {
    String command = String.join(" ", step.argv());
    try {
      runtime.create(id, spec, CreateOptions.defaults().withName(id));
    } catch (BerthException e) {
      int code = ContainerRuntime.startFailureExitCode(e.getMessage());
      throw new FailedPreconditionException(failure(command, code) + "\n" + e.getMessage(), e);
    }
    Deque<String> tail = new ArrayDeque<>();
    AtomicBoolean exited = new AtomicBoolean();
    Path log = runtime.logPath(id);
    Thread follower = Thread.ofVirtual().name("build-output-" + id).start(() -> {
      StringBuilder partial = new StringBuilder();
      try {
        LogReader.of(log).follow(LogQuery.all(), r -> {
          partial.append(r.text());
          int nl;
          while ((nl = partial.indexOf("\n")) >= 0) {
            emit(step, tail, partial.substring(0, nl));
            partial.delete(0, nl + 1);
          }
        }, exited::get);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "following the output of " + id + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!partial.isEmpty()) {
        emit(step, tail, partial.toString());
      }
    });
    Integer code;
    try {
      runtime.start(id);
      ContainerStatus done;
      while (true) {
        Optional<ContainerStatus> s = runtime.waitExit(id, Duration.ofMinutes(1));
        if (s.isPresent()) {
          done = s.get();
          break;
        }
      }
      code = done.exitCode();
    } catch (BerthException e) {
      int c = ContainerRuntime.startFailureExitCode(e.getMessage());
      throw new FailedPreconditionException(failure(command, c) + "\n" + e.getMessage(), e);
    } finally {
      exited.set(true);
      try {
        follower.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<String> last;
    synchronized (tail) {
      last = List.copyOf(tail);
    }
    if (code == null || code != 0) {
      int c = code == null ? 255 : code;
      StringBuilder msg = new StringBuilder(failure(command, c));
      if (!last.isEmpty()) {
        msg.append("\n--- its output ended with:");
        last.forEach(l -> msg.append('\n').append(l));
      }
      throw new FailedPreconditionException(msg.toString());
    }
  }

  /** The classic builder's words, which the docker CLI shows as is. */
  static String failure(String command, int code) {
    return "The command '" + command + "' returned a non-zero code: " + code;
  }

  private static void emit(RunStep step, Deque<String> tail, String line) {
    synchronized (tail) {
      tail.addLast(line);
      if (tail.size() > TAIL_LINES) {
        tail.removeFirst();
      }
    }
    step.output().accept(line);
  }

  /** The snapshot's changes as a layer in the content store; empty when nothing changed. */
  private Optional<Layer> diff(String id, Instant mtimeNotAfter) {
    try (ContentWriter w = content.writer()) {
      Differ.Summary s = Differ.of(snapshotter).writeDiff(id, w, mtimeNotAfter);
      if (s.entries() == 0) {
        return Optional.empty();
      }
      BlobInfo blob = w.commit();
      return Optional.of(new Layer(Descriptor.of(MediaType.OCI_LAYER, blob.digest(), blob.size()), blob.digest()));
    }
  }

  private static void quietly(String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, what + ": " + e.getMessage());
    }
  }
}

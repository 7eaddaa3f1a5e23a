package dev.berth.runtime;

import dev.berth.errors.AlreadyExistsException;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.errors.UnavailableException;
import dev.berth.oci.Json;
import dev.berth.runtime.spec.Spec;
import dev.berth.runtime.spec.SpecOptions;
import dev.berth.runtime.spec.UserResolver;
import dev.berth.runtime.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs containers from OCI bundles through an OCI runtime, each supervised by its own conmon. All
 * state lives on disk under {@code root}, so a restarted berthd (a new instance over the same root)
 * finds every container again with its true status and exit code.
 *
 * <p>Lifecycle: {@link #create} (the process exists, stopped before the user's program, with its
 * log open) → {@link #start} → {@link #waitExit} / {@link #kill} / {@link #stop} / {@link #pause}
 * / {@link #resume} / {@link #exec} / {@link #attach} → {@link #delete}. The rootfs is the
 * caller's: mount it before create, unmount it after delete.
 *
 * <pre>{@code
 * var runtime = ContainerRuntime.open(new ContainerRuntime.Config(root, "berth", null));
 * Spec spec = ContainerSpecs.forContainer(image.configOrEmpty(), run, rootfs, null, HostLimits.ofThisProcess());
 * runtime.create(id, spec, CreateOptions.defaults().withName("web"));
 * runtime.start(id);
 * ContainerStatus done = runtime.waitExit(id, Duration.ofMinutes(1)).orElseThrow();
 * Path log = done.logPath();           // k8s-file: "2026-…Z stdout F hello"
 * runtime.delete(id, false);
 * }</pre>
 *
 * Layout under {@code root}: {@code containers/ID/} is the bundle (config.json, berth-runtime.json,
 * ctr.log, pidfile, conmon.pid, exit, oom, ctl, attach, execs/); {@code exits/ID} conmon's exit
 * files; {@code runtimes/NAME} each runtime's {@code --root}; {@code s/} short attach-socket links.
 */
public final class ContainerRuntime {
  /**
   * @param root the state directory (created)
   * @param cgroupParent cgroups go under {@code /PARENT/ID} in every hierarchy
   * @param defaultRuntime the daemon's {@code --default-runtime}, or null for the fastest that works
   */
  public record Config(Path root, String cgroupParent, String defaultRuntime) {
    public Config {
      if (cgroupParent == null || cgroupParent.isBlank() || cgroupParent.contains("..")) {
        throw new InvalidArgumentException("invalid cgroup parent \"" + cgroupParent + "\"");
      }
      cgroupParent = cgroupParent.replaceAll("^/+|/+$", "");
    }
  }

  /** What berth records in each bundle beside config.json. */
  /** {@code network}: "host" (no net namespace), "none" (a fresh one) or "sandbox" (one given by path). */
  record Meta(String runtime, String cgroupsPath, boolean tty, boolean stdin, String network, Instant created) {}

  private static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
  private static final String META = "berth-runtime.json";
  private static final String LOG = "ctr.log";

  private final Config config;
  private final Path root;
  private final Path conmon;
  private final Map<String, OciRuntime> runtimes;
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private volatile RuntimeInfo info;

  private ContainerRuntime(Config config, Path conmon, Map<String, OciRuntime> runtimes) {
    this.config = config;
    this.root = config.root();
    this.conmon = conmon;
    this.runtimes = runtimes;
  }

  /** Opens (and creates) the state root; finds conmon and the installed runtimes. Probing waits for {@link #info}. */
  public static ContainerRuntime open(Config config) {
    try {
      var root = Files.createDirectories(config.root()).toRealPath();
      for (var d : List.of("containers", "exits", "runtimes", "s")) {
        Files.createDirectories(root.resolve(d));
      }
      var conmon = findBinary("conmon").orElseThrow(() -> new UnavailableException(
          "conmon is not installed: run scripts/install-deps.sh (apt-get install conmon)"));
      var runtimes = new LinkedHashMap<String, OciRuntime>();
      for (var kind : RuntimeKind.values()) {
        findBinary(kind.command()).ifPresent(bin ->
            runtimes.put(kind.command(), OciRuntime.of(kind, bin, root.resolve("runtimes").resolve(kind.command()))));
      }
      if (config.defaultRuntime() != null && !runtimes.containsKey(config.defaultRuntime())) {
        throw new InvalidArgumentException("default runtime \"" + config.defaultRuntime() + "\" is not installed; known: "
            + runtimes.keySet());
      }
      return new ContainerRuntime(new Config(root, config.cgroupParent(), config.defaultRuntime()), conmon, runtimes);
    } catch (IOException e) {
      throw new UncheckedIOException("opening the runtime state under " + config.root(), e);
    }
  }

  static Optional<Path> findBinary(String name) {
    var dirs = new ArrayList<String>();
    var path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/libexec/podman"));
    for (var d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      var p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  public Path root() {
    return root;
  }

  /** The installed runtimes by name, whether they work here or not. */
  public Map<String, OciRuntime> runtimes() {
    return Map.copyOf(runtimes);
  }

  /**
   * Which runtime is the default and why, after probing each installed one once (runs of
   * {@code /bin/true}; about a second in all). The configured default wins when it works; otherwise
   * the fastest runtime that works.
   */
  public RuntimeInfo info() {
    var i = info;
    if (i != null) {
      return i;
    }
    synchronized (this) {
      if (info != null) {
        return info;
      }
      var outcomes = new ArrayList<RuntimeProbe.Outcome>();
      var scratch = root.resolve("probe");
      for (var kind : RuntimeKind.values()) {
        var rt = runtimes.get(kind.command());
        outcomes.add(rt == null ? RuntimeProbe.Outcome.missing(kind.command())
            : RuntimeProbe.probe(rt, scratch, config.cgroupParent(), kind == RuntimeKind.RUNSC ? 1 : 3));
      }
      Cgroups.removeTree("/" + config.cgroupParent() + "/probe");
      var working = outcomes.stream().filter(RuntimeProbe.Outcome::works).toList();
      String chosen;
      String reason;
      var notes = outcomes.stream().filter(o -> !o.works()).map(RuntimeProbe.Outcome::reason).toList();
      if (config.defaultRuntime() != null
          && working.stream().anyMatch(o -> o.name().equals(config.defaultRuntime()))) {
        chosen = config.defaultRuntime();
        reason = chosen + " is the configured default runtime and works here";
      } else if (!working.isEmpty()) {
        var fastest = working.stream().min(Comparator.comparing(o -> o.runTime().orElseThrow())).orElseThrow();
        chosen = fastest.name();
        reason = chosen + " is the fastest runtime that works here (" + fastest.reason() + ")"
            + (config.defaultRuntime() != null ? "; the configured " + config.defaultRuntime() + " does not work" : "");
      } else {
        chosen = null;
        reason = "no runtime works here";
      }
      if (!notes.isEmpty()) {
        reason += "; " + String.join("; ", notes);
      }
      info = new RuntimeInfo(chosen, reason, outcomes);
      return info;
    }
  }

  private OciRuntime runtimeFor(String name) {
    if (name == null || name.isEmpty()) {
      var d = info().defaultRuntime();
      if (d == null) {
        throw new UnavailableException("no OCI runtime works on this host: " + info().reason());
      }
      return runtimes.get(d);
    }
    var rt = runtimes.get(name);
    if (rt == null) {
      throw new InvalidArgumentException("unknown or invalid runtime name: " + name + " (installed: "
          + String.join(", ", runtimes.keySet()) + ")");
    }
    return rt;
  }

  private OciRuntime runtimeOf(Meta meta) {
    return runtimeFor(meta.runtime()).forNetwork(meta.network());
  }

  private Path bundle(String id) {
    return root.resolve("containers").resolve(id);
  }

  private Object lock(String id) {
    return locks.computeIfAbsent(id, k -> new Object());
  }

  private static void checkId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new InvalidArgumentException("invalid container id \"" + id + "\": want [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128");
    }
  }

  /** The cgroup a container gets: {@code /PARENT/ID}. */
  public String cgroupsPath(String id) {
    return "/" + config.cgroupParent() + "/" + id;
  }

  /**
   * Creates the container: writes the bundle, starts conmon, which runs the runtime's
   * {@code create}; returns once the init process exists (status CREATED). The spec's cgroups path
   * is set to {@link #cgroupsPath}. On failure nothing is left behind, and the error carries the
   * runtime's message, e.g. {@code exec: "nope": executable file not found in $PATH}.
   */
  public ContainerStatus create(String id, Spec spec, CreateOptions options) {
    checkId(id);
    if (spec.process() == null || spec.root() == null || spec.linux() == null) {
      throw new InvalidArgumentException("creating container " + id + ": the spec needs process, root and linux");
    }
    if (spec.process().terminal() != options.tty()) {
      throw new InvalidArgumentException("creating container " + id + ": process.terminal and the tty option disagree");
    }
    var rootfs = Path.of(spec.root().path());
    if (!rootfs.isAbsolute() || !Files.isDirectory(rootfs) || Files.isSymbolicLink(rootfs)) {
      throw new InvalidArgumentException("creating container " + id + ": rootfs " + rootfs
          + " must be an existing absolute directory, not a symlink");
    }
    var chosen = runtimeFor(options.runtime());
    synchronized (lock(id)) {
      var bundle = bundle(id);
      if (Files.exists(bundle)) {
        throw new AlreadyExistsException("container " + id + " already exists");
      }
      var cgroups = cgroupsPath(id);
      var finalSpec = SpecOptions.cgroupsPath(cgroups).apply(spec);
      var netns = finalSpec.linux().namespaces().stream().filter(n -> n.type().equals("network")).findFirst();
      var network = netns.isEmpty() ? "host" : netns.get().path() == null ? "none" : "sandbox";
      var rt = chosen.forNetwork(network);
      try {
        Files.createDirectories(bundle);
        writeAtomically(bundle.resolve("config.json"), finalSpec.toJson());
        writeAtomically(bundle.resolve(META), Json.write(new Meta(rt.name(), cgroups, options.tty(), options.stdin(),
            network, Instant.now())));
        Files.deleteIfExists(root.resolve("exits").resolve(id));
        var opts = new Conmon.Options(id, id, rt, bundle, bundle.resolve("pidfile"),
            options.name() == null ? id : options.name(), root.resolve("exits"), bundle, bundle.resolve(LOG),
            options.logSizeMax(), root.resolve("s"), options.tty(), options.stdin(), null, false,
            options.exitCommand());
        try (var started = Conmon.start(conmon, opts, false, false)) {
          writeAtomically(bundle.resolve("conmon.pid"), Long.toString(started.pid()).getBytes(StandardCharsets.US_ASCII));
          var report = started.next("creating container " + id);
          if (report.data() <= 0) {
            throw createFailure(id, rt, report.message());
          }
        }
        return state(id);
      } catch (IOException e) {
        cleanup(id, rt, cgroups);
        throw new UncheckedIOException("creating container " + id + " in " + bundle, e);
      } catch (RuntimeException e) {
        cleanup(id, rt, cgroups);
        throw e;
      }
    }
  }

  private static RuntimeException createFailure(String id, OciRuntime rt, String message) {
    var msg = message == null ? "the runtime failed" : new OciRuntime.Result(1, "", message).message();
    var text = "OCI runtime create failed: " + msg;
    if (msg.contains("executable file not found") || msg.contains("no such file or directory")
        || msg.contains("permission denied")) {
      return new InvalidArgumentException(text);
    }
    return new FailedPreconditionException("creating container " + id + " with " + rt.name() + ": " + text);
  }

  /**
   * Docker's exit code for a container that could not start: 127 when the command is not found,
   * 126 when it cannot be executed, 125 otherwise (as the docker CLI derives it from the message).
   */
  public static int startFailureExitCode(String message) {
    if (message.contains("executable file not found") || message.contains("no such file or directory")) {
      return 127;
    }
    if (message.contains("permission denied")) {
      return 126;
    }
    return 125;
  }

  private void cleanup(String id, OciRuntime rt, String cgroups) {
    try {
      var conmonPid = readLong(bundle(id).resolve("conmon.pid"));
      rt.exec(new OciRuntime.Delete(id, true));
      conmonPid.ifPresent(p -> ProcessHandle.of(p).ifPresent(h -> {
        try {
          h.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          // conmon exits when the runtime's process is gone; if not, it holds nothing we remove.
        }
      }));
      Cgroups.remove(cgroups);
      unmountUnder(bundle(id));
      deleteTree(bundle(id));
      Files.deleteIfExists(root.resolve("exits").resolve(id));
      Files.deleteIfExists(root.resolve("s").resolve(id));
    } catch (IOException | RuntimeException e) {
      // Best effort after a failure; the original error is what the caller needs.
    }
  }

  /** Starts the user's process of a CREATED container. */
  public void start(String id) {
    var meta = meta(id);
    var rt = runtimeOf(meta);
    try {
      rt.run(new OciRuntime.Start(id));
    } catch (dev.berth.errors.BerthException e) {
      throw e.during("starting container " + id);
    }
  }

  /** The container's status now, from the exit file, the runtime's state and the cgroup. */
  public ContainerStatus state(String id) {
    checkId(id);
    var bundle = bundle(id);
    var meta = meta(id);
    var log = bundle.resolve(LOG);
    var exit = exitFile(id);
    if (exit.isPresent()) {
      return stopped(id, meta, exit.get());
    }
    var rt = runtimes.containsKey(meta.runtime()) ? runtimeOf(meta) : null;
    var st = rt == null ? Optional.<RuntimeState>empty() : rt.state(id);
    if (st.isEmpty() || st.get().status().equals("stopped")) {
      // Stopped, but conmon may still be writing the exit file: give it a moment.
      var late = awaitExitFile(id, Duration.ofMillis(500));
      if (late.isPresent()) {
        return stopped(id, meta, late.get());
      }
      return new ContainerStatus(id, meta.runtime(), ContainerStatus.Status.STOPPED, 0, null,
          oomKilled(bundle, meta), null, bundle, log);
    }
    var status = switch (st.get().status()) {
      case "created", "creating" -> ContainerStatus.Status.CREATED;
      case "paused", "pausing" -> ContainerStatus.Status.PAUSED;
      default -> ContainerStatus.Status.RUNNING;
    };
    return new ContainerStatus(id, meta.runtime(), status, st.get().pid(), null, false, null, bundle, log);
  }

  private record Exit(int code, Instant at) {}

  private ContainerStatus stopped(String id, Meta meta, Exit exit) {
    var bundle = bundle(id);
    return new ContainerStatus(id, meta.runtime(), ContainerStatus.Status.STOPPED, 0, exit.code(),
        oomKilled(bundle, meta), exit.at(), bundle, bundle.resolve(LOG));
  }

  private static boolean oomKilled(Path bundle, Meta meta) {
    if (Files.exists(bundle.resolve("oom"))) {
      return true;
    }
    if (Cgroups.oomKilled(meta.cgroupsPath())) {
      try {
        Files.write(bundle.resolve("oom"), new byte[0]); // remember it past the cgroup's removal
      } catch (IOException ignored) {
        // Reported now; a later read may miss it once the cgroup is gone.
      }
      return true;
    }
    return false;
  }

  private Optional<Exit> exitFile(String id) {
    var f = bundle(id).resolve("exit");
    try {
      var text = Files.readString(f).strip();
      if (text.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Exit(Integer.parseInt(text), Files.getLastModifiedTime(f).toInstant()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private Optional<Exit> awaitExitFile(String id, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    var bundle = bundle(id);
    try (var watch = bundle.getFileSystem().newWatchService()) {
      bundle.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      while (true) {
        var exit = exitFile(id);
        if (exit.isPresent()) {
          return exit;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        var key = watch.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(250)), TimeUnit.NANOSECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("watching " + bundle + " for the exit of " + id, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted waiting for container " + id, e);
    }
  }

  /**
   * Waits until the container has exited and conmon recorded its exit code; empty if it still
   * runs after {@code timeout}. Also returns (with a null exit code) if conmon itself died.
   */
  public Optional<ContainerStatus> waitExit(String id, Duration timeout) {
    var meta = meta(id);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      var exit = awaitExitFile(id, Duration.ofNanos(Math.max(0, Math.min(left, TimeUnit.SECONDS.toNanos(1)))));
      if (exit.isPresent()) {
        return Optional.of(stopped(id, meta, exit.get()));
      }
      var conmonPid = readLong(bundle(id).resolve("conmon.pid"));
      if (conmonPid.isEmpty() || ProcessHandle.of(conmonPid.get()).map(h -> !h.isAlive()).orElse(true)) {
        var late = awaitExitFile(id, Duration.ofMillis(200));
        return Optional.of(late.map(e -> stopped(id, meta, e)).orElseGet(() -> state(id)));
      }
      if (deadline - System.nanoTime() <= 0) {
        return Optional.empty();
      }
    }
  }

  /** Sends {@code signal} to the container's init (all its processes with {@code all}). */
  public void kill(String id, int signal, boolean all) {
    var rt = runtimeOf(meta(id));
    var st = state(id);
    if (!st.running() && st.status() != ContainerStatus.Status.CREATED) {
      throw new FailedPreconditionException("cannot kill container " + id + ": it is not running");
    }
    try {
      rt.run(new OciRuntime.Kill(id, signal, all));
    } catch (dev.berth.errors.BerthException e) {
      throw e.during("killing container " + id);
    }
  }

  /**
   * Docker's stop: {@code signal} (the image's STOPSIGNAL or SIGTERM), then SIGKILL to all its
   * processes when it has not exited after {@code timeout}. A paused container is resumed for the
   * signal to be delivered (as Docker does, SIGKILL would not need it).
   */
  public ContainerStatus stop(String id, int signal, Duration timeout) {
    var st = state(id);
    if (st.status() == ContainerStatus.Status.STOPPED) {
      return st;
    }
    if (st.status() == ContainerStatus.Status.PAUSED) {
      resume(id);
    }
    try {
      kill(id, signal, false);
    } catch (FailedPreconditionException | NotFoundException e) {
      // It exited between our look and the signal.
    }
    var done = waitExit(id, timeout);
    if (done.isPresent()) {
      return done.get();
    }
    try {
      kill(id, 9, true);
    } catch (FailedPreconditionException | NotFoundException e) {
      // Exited just now.
    }
    return waitExit(id, Duration.ofSeconds(30)).orElseThrow(() -> new UnavailableException(
        "container " + id + " did not exit 30 s after SIGKILL"));
  }

  public void pause(String id) {
    var rt = runtimeOf(meta(id));
    try {
      rt.run(new OciRuntime.Pause(id));
    } catch (dev.berth.errors.BerthException e) {
      throw e.during("pausing container " + id);
    }
  }

  public void resume(String id) {
    var rt = runtimeOf(meta(id));
    try {
      rt.run(new OciRuntime.Resume(id));
    } catch (dev.berth.errors.BerthException e) {
      throw e.during("unpausing container " + id);
    }
  }

  /**
   * Removes the container: the runtime's state, its cgroups, its bundle (log included) and exit
   * file. A running container needs {@code force} (then it is killed first). Mounts below the
   * bundle are detached, so a caller's rootfs mounted inside it cannot be deleted through.
   */
  public void delete(String id, boolean force) {
    checkId(id);
    synchronized (lock(id)) {
      var meta = meta(id);
      var st = state(id);
      if (st.running() && !force) {
        throw new FailedPreconditionException("cannot remove container " + id
            + ": it is " + st.status().name().toLowerCase() + "; stop it first or force the removal");
      }
      var rt = runtimes.containsKey(meta.runtime()) ? runtimeOf(meta) : null;
      if (rt != null) {
        var r = rt.exec(new OciRuntime.Delete(id, true));
        if (!r.ok() && rt.state(id).isPresent()) {
          throw new FailedPreconditionException("removing container " + id + ": " + rt.name() + " delete: " + r.message());
        }
      }
      // conmon exits once the container has; wait for it so nothing holds the bundle.
      readLong(bundle(id).resolve("conmon.pid")).flatMap(ProcessHandle::of).ifPresent(h -> {
        try {
          h.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // Leave it: it holds only its own log file open.
        }
      });
      Cgroups.remove(meta.cgroupsPath());
      try {
        unmountUnder(bundle(id));
        deleteTree(bundle(id));
        Files.deleteIfExists(root.resolve("exits").resolve(id));
        Files.deleteIfExists(root.resolve("s").resolve(id));
      } catch (IOException e) {
        throw new UncheckedIOException("removing container " + id, e);
      }
      locks.remove(id);
    }
  }

  /** Every container under the root, with its status: what a restarted daemon starts from. */
  public List<ContainerStatus> list() {
    var out = new ArrayList<ContainerStatus>();
    try (var dirs = Files.list(root.resolve("containers"))) {
      for (var d : dirs.sorted().toList()) {
        var id = d.getFileName().toString();
        if (Files.exists(d.resolve(META))) {
          try {
            out.add(state(id));
          } catch (NotFoundException e) {
            // Removed while we listed.
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing containers under " + root, e);
    }
    return out;
  }

  /** The container's k8s-file log (CRI format, one record per line). */
  public Path logPath(String id) {
    meta(id);
    return bundle(id).resolve(LOG);
  }

  /** The spec the container was created with. */
  public Spec spec(String id) {
    meta(id);
    try {
      return Spec.parse(Files.readAllBytes(bundle(id).resolve("config.json")), "config.json of container " + id);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the spec of container " + id, e);
    }
  }

  /**
   * Attaches to the container's stdio through conmon's attach socket. Output from before the
   * attach is only in the log. Close the attachment to detach.
   */
  public Attachment attach(String id) {
    meta(id);
    return attachSocket(root.resolve("s").resolve(id), "container " + id);
  }

  /**
   * Attaches to the container's stdin only: its output is read and dropped. Half-close
   * {@link Attachment#stdin} for the container to see the end of its input, then keep the
   * attachment open until {@link Attachment#awaitOutputEnd} returns: conmon 2.1.6 closes the
   * container's stdin when it reads that end, but if a write of the container's output to the
   * connection fails first (the client closed it), conmon frees its record of the connection
   * before it looks at it to close stdin (a use after free in conn_sock.c terminate_remote_sock),
   * and the container never sees the end of its input.
   */
  public Attachment attachStdin(String id) {
    meta(id);
    return attachSocket(root.resolve("s").resolve(id), "container " + id, false);
  }

  private static Attachment attachSocket(Path dir, String what) {
    return attachSocket(dir, what, true);
  }

  private static Attachment attachSocket(Path dir, String what, boolean keepOutput) {
    var sock = dir.resolve("attach");
    try {
      return new Attachment(sock.toString(), keepOutput);
    } catch (IOException e) {
      throw new FailedPreconditionException("attaching to " + what + ": " + e.getMessage(), e);
    }
  }

  /** Resizes the container's TTY (conmon's ctl fifo: "1 HEIGHT WIDTH"). */
  public void resize(String id, int height, int width) {
    resizeVia(bundle(id).resolve("ctl"), height, width, "container " + id);
  }

  private static void resizeVia(Path ctl, int height, int width, String what) {
    if (height <= 0 || width <= 0) {
      throw new InvalidArgumentException("resizing " + what + ": height and width must be positive");
    }
    if (!Files.exists(ctl)) {
      throw new FailedPreconditionException("resizing " + what + ": it has no control fifo (not running?)");
    }
    try (var out = Files.newOutputStream(ctl, java.nio.file.StandardOpenOption.WRITE)) {
      out.write(("1 " + height + " " + width + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new FailedPreconditionException("resizing " + what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs a process in a running container, under a conmon of its own. Its output goes to the
   * session's k8s-file log ({@link ExecSession#logPath}); with {@code attach} the session's
   * attach socket is connected before the process starts, so no output is lost.
   */
  public ExecSession exec(String id, ExecOptions options) {
    var meta = meta(id);
    var st = state(id);
    if (st.status() != ContainerStatus.Status.RUNNING) {
      throw new FailedPreconditionException("cannot exec in container " + id + ": it is " + st.status().name().toLowerCase());
    }
    if (options.args().isEmpty()) {
      throw new InvalidArgumentException("exec in container " + id + ": no command specified");
    }
    var rt = runtimeOf(meta);
    var spec = spec(id);
    var p = spec.process();
    var env = new LinkedHashMap<String, String>();
    for (var e : p.env()) {
      env.put(e.contains("=") ? e.substring(0, e.indexOf('=')) : e, e);
    }
    for (var e : options.env()) {
      env.put(e.contains("=") ? e.substring(0, e.indexOf('=')) : e, e);
    }
    var user = p.user();
    if (options.user() != null && !options.user().isEmpty()) {
      user = UserResolver.resolve(Path.of(spec.root().path()), options.user(), List.of()).toSpec();
    }
    var process = p.withArgs(options.args()).withEnv(List.copyOf(env.values())).withUser(user)
        .withTerminal(options.tty())
        .withCwd(options.workingDir() != null && !options.workingDir().isEmpty() ? options.workingDir() : p.cwd());
    var execId = HexFormat.of().formatHex(randomBytes());
    var dir = bundle(id).resolve("execs").resolve(execId);
    try {
      Files.createDirectories(dir);
      writeAtomically(dir.resolve("process.json"), Json.write(process));
      var opts = new Conmon.Options(id, execId, rt, dir, dir.resolve("pidfile"), id + "-exec",
          dir, dir, dir.resolve("exec.log"), 0, root.resolve("s"), options.tty(), options.attach(),
          dir.resolve("process.json"), options.attach(), List.of());
      var started = Conmon.start(conmon, opts, options.attach(), options.attach());
      Attachment attachment = null;
      if (options.attach()) {
        started.release();
        var ack = started.next("exec in container " + id);
        if (ack.data() < 0) {
          started.close();
          throw new FailedPreconditionException("exec in container " + id + ": " + ack.message());
        }
        attachment = attachSocket(root.resolve("s").resolve(execId), "exec " + execId);
        started.release();
      }
      var report = started.next("exec in container " + id);
      if (report.data() <= 0) {
        started.close();
        if (attachment != null) {
          attachment.close();
        }
        var msg = report.message() == null ? "the runtime failed" : new OciRuntime.Result(1, "", report.message()).message();
        throw msg.contains("executable file not found") || msg.contains("no such file")
            ? new InvalidArgumentException("OCI runtime exec failed: " + msg)
            : new FailedPreconditionException("exec in container " + id + ": OCI runtime exec failed: " + msg);
      }
      return new ExecSession(execId, report.data(), dir, started, attachment);
    } catch (IOException e) {
      throw new UncheckedIOException("exec in container " + id, e);
    }
  }

  private static byte[] randomBytes() {
    var b = new byte[8];
    new SecureRandom().nextBytes(b);
    return b;
  }

  /** Resizes an exec session's TTY. */
  public void resizeExec(String id, String execId, int height, int width) {
    resizeVia(bundle(id).resolve("execs").resolve(execId).resolve("ctl"), height, width, "exec " + execId);
  }

  private Meta meta(String id) {
    checkId(id);
    var f = bundle(id).resolve(META);
    try {
      return Json.read(Files.readAllBytes(f), Meta.class, f.toString(), Json.MAX_METADATA_BYTES);
    } catch (NoSuchFileException e) {
      throw new NotFoundException("no such container: " + id);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + f, e);
    }
  }

  private static Optional<Long> readLong(Path f) {
    try {
      return Optional.of(Long.parseLong(Files.readString(f).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static void writeAtomically(Path target, byte[] bytes) throws IOException {
    var tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void unmountUnder(Path dir) throws IOException {
    var base = dir.toAbsolutePath().normalize();
    var mounts = new ArrayList<Path>();
    for (var line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
      var f = line.split(" ");
      if (f.length > 1) {
        var mp = Path.of(f[1].replace("\\040", " "));
        if (mp.startsWith(base)) {
          mounts.add(mp);
        }
      }
    }
    mounts.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (var mp : mounts) {
      Syscalls.umount2(mp.toString(), Syscalls.MNT_DETACH);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (var p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

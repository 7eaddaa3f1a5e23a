package dev.berth.engine.container;

import dev.berth.engine.ImageService;
import dev.berth.errors.AlreadyExistsException;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.image.Image;
import dev.berth.oci.ContainerConfig;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Containers as a service: the verbs berthd serves, over a {@link ContainerStore} (metadata), a
 * {@link RootfsProvider} (root filesystems) and a {@link TaskRuntime} (runc/crun/runsc under conmon).
 *
 * <p>Every verb checks the state machine ({@link ContainerStatus#canBecome}) and its inputs before
 * any side effect, and writes the new state to disk before it answers. A create writes {@code
 * container.json} last, so a daemon killed half-way through leaves a directory without it, which
 * {@link #recover()} cleans up along with its rootfs.
 *
 * <pre>{@code
 * var svc = new ContainerService(root, images, rootfs, runtime, events, volumes);
 * svc.recover();
 * Container c = svc.create("hello", ContainerSpec.of("busybox", List.of("echo", "hi")));
 * svc.start(c.id());
 * int code = svc.await(c.id(), WaitCondition.NOT_RUNNING).get();
 * }</pre>
 */
public final class ContainerService {
  private static final System.Logger LOG = System.getLogger("dev.berth.engine");
  static final int DEFAULT_STOP_TIMEOUT = 10;
  static final long MIN_MEMORY = 6 * 1024 * 1024;

  /** What {@link #await} waits for, as Docker's {@code condition} query parameter. */
  public enum WaitCondition {
    NOT_RUNNING,
    NEXT_EXIT,
    REMOVED;

    public static WaitCondition parse(String s) {
      return switch (s == null ? "" : s) {
        case "", "not-running" -> NOT_RUNNING;
        case "next-exit" -> NEXT_EXIT;
        case "removed" -> REMOVED;
        default -> throw new InvalidArgumentException("invalid condition: \"" + s + "\"");
      };
    }
  }

  private record Waiter(WaitCondition condition, CompletableFuture<Container> future) {}

  private final Path root;
  private final ImageService images;
  private final RootfsProvider rootfs;
  private final TaskRuntime runtime;
  private final Events events;
  private final VolumeService volumes;
  private final ContainerStore store;
  private final Map<String, Container> containers = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
  private final Map<String, Boolean> restarting = new ConcurrentHashMap<>();
  private final Object names = new Object();
  private final Map<String, java.util.concurrent.atomic.AtomicInteger> attachers = new ConcurrentHashMap<>();
  private volatile boolean shuttingDown;
  private String cgroupParent;
  private final java.util.Set<Thread> monitors = ConcurrentHashMap.newKeySet();

  public ContainerService(Path root, ImageService images, RootfsProvider rootfs, TaskRuntime runtime, Events events,
      VolumeService volumes) {
    this.root = root;
    this.images = images;
    this.rootfs = rootfs;
    this.runtime = runtime;
    this.events = events;
    this.volumes = volumes;
    this.store = new ContainerStore(root.resolve("containers"));
    images.setInUse(id -> containers.values().stream().anyMatch(c -> c.imageId().equals(id)));
    images.setUsers(id -> usingImage(id).stream().map(Container::id).toList());
    volumes.setUsers(this::volumeUsers);
  }

  /**
   * The service over {@code root} with the host's best parts: the overlay snapshotter (a plain
   * copy where overlayfs is missing) and runc/crun/runsc under conmon, cgroups under {@code
   * /cgroupParent/ID}. Call {@link #recover()} next.
   */
  public static ContainerService open(Path root, ImageService images, String cgroupParent) {
    return open(root, images, cgroupParent, null);
  }

  /**
   * As {@link #open(Path, ImageService, String)}, with the daemon's {@code --default-runtime}
   * (runc, crun or runsc; null: the fastest that works here).
   */
  public static ContainerService open(Path root, ImageService images, String cgroupParent, String defaultRuntime) {
    if (defaultRuntime != null && java.util.Arrays.stream(dev.berth.runtime.RuntimeKind.values())
        .noneMatch(k -> k.command().equals(defaultRuntime))) {
      throw new InvalidArgumentException("unknown default runtime \"" + defaultRuntime + "\": want one of "
          + java.util.Arrays.stream(dev.berth.runtime.RuntimeKind.values()).map(dev.berth.runtime.RuntimeKind::command).toList());
    }
    var events = new Events();
    Path snapshots = root.resolve("snapshots");
    dev.berth.snapshot.Snapshotter snapshotter;
    String driver;
    if (dev.berth.snapshot.OverlaySnapshotter.supported(snapshots)) {
      snapshotter = dev.berth.snapshot.OverlaySnapshotter.open(snapshots);
      driver = "overlayfs";
    } else {
      snapshotter = new dev.berth.snapshot.CopySnapshotter(snapshots);
      driver = "vfs";
    }
    var unpacker = new dev.berth.snapshot.LayerUnpacker(snapshotter, images.store().content());
    unpacker.removeInterrupted();
    var runtime = dev.berth.runtime.ContainerRuntime.open(
        new dev.berth.runtime.ContainerRuntime.Config(root.resolve("runtime"), cgroupParent, defaultRuntime));
    var svc = new ContainerService(root, images, new SnapshotRootfs(snapshotter, unpacker, driver), new OciTasks(runtime),
        events, new VolumeService(root.resolve("volumes"), events));
    svc.cgroupParent = cgroupParent;
    return svc;
  }

  public Events events() {
    return events;
  }

  public VolumeService volumes() {
    return volumes;
  }

  public RootfsProvider rootfs() {
    return rootfs;
  }

  public TaskRuntime runtime() {
    return runtime;
  }

  /** The state directory of a container: bundle, log, exit files. */
  public Path stateDir(String id) {
    return store.dirOf(id);
  }

  /** Where the container's root filesystem is mounted while it exists. */
  public Path rootfsPath(String id) {
    return store.dirOf(id).resolve("rootfs");
  }

  // ---- lookup ---------------------------------------------------------------------------------

  /** All containers, newest first. */
  public List<Container> list() {
    var all = new ArrayList<>(containers.values());
    all.sort((a, b) -> b.created().compareTo(a.created()));
    return all;
  }

  /**
   * A container by full ID, name (with or without Docker's slash), or unique ID prefix, as Docker
   * resolves them.
   */
  public Container get(String idOrName) {
    if (idOrName == null || idOrName.isEmpty()) {
      throw new NotFoundException("No such container: " + idOrName);
    }
    Container c = containers.get(idOrName);
    if (c != null) {
      return c;
    }
    String name = idOrName.startsWith("/") ? idOrName.substring(1) : idOrName;
    for (Container x : containers.values()) {
      if (x.name().equals(name)) {
        return x;
      }
    }
    List<Container> prefixed = containers.values().stream().filter(x -> x.id().startsWith(idOrName)).toList();
    if (prefixed.size() > 1) {
      throw new InvalidArgumentException("multiple IDs found with provided prefix: " + idOrName);
    }
    if (prefixed.isEmpty()) {
      throw new NotFoundException("No such container: " + idOrName);
    }
    return prefixed.getFirst();
  }

  public Optional<Container> find(String idOrName) {
    try {
      return Optional.of(get(idOrName));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /** The containers made from image {@code id}. */
  public List<Container> usingImage(Digest id) {
    return list().stream().filter(c -> c.imageId().equals(id)).toList();
  }

  private List<String> volumeUsers(String volume) {
    return list().stream()
        .filter(c -> c.spec().host().mounts().stream().anyMatch(m -> m.type().equals("volume") && m.source().equals(volume)))
        .map(Container::id)
        .toList();
  }

  // ---- create ---------------------------------------------------------------------------------

  /**
   * Creates a container: checks the name, the image, the mounts and the limits, merges the spec
   * with the image config, prepares the rootfs, and writes the metadata.
   *
   * @param name null or empty for a random one
   */
  public Container create(String name, ContainerSpec requested) {
    if (requested.image() == null || requested.image().isEmpty()) {
      throw new InvalidArgumentException("No command specified: config.Image is empty");
    }
    String wanted = name == null || name.isEmpty() ? null : Names.validate(name);
    Image image = images.inspect(requested.image());
    ContainerSpec spec = merge(requested, image.config().configOrEmpty());
    if (spec.argv().isEmpty()) {
      throw new InvalidArgumentException("no command specified");
    }
    List<ContainerSpec.MountSpec> mounts = Mounts.parse(spec.host());
    Mounts.check(mounts, volumes);
    checkHost(spec.host());
    spec = spec.withHost(withMounts(spec.host(), mounts));

    String id = Names.newId();
    String finalName;
    Container c;
    synchronized (names) {
      finalName = wanted != null ? wanted : Names.random(this::nameTaken);
      if (nameTaken(finalName)) {
        Container holder = get(finalName);
        throw new AlreadyExistsException("Conflict. The container name \"/" + finalName + "\" is already in use by container \""
            + holder.id() + "\". You have to remove (or rename) that container to be able to reuse that name.");
      }
      String runtimeName = spec.host().runtime().isEmpty() ? "runc" : spec.host().runtime();
      c = new Container(id, finalName, Instant.now(), image.id(), spec, ContainerState.created(), runtimeName, "ctr-" + id);
      // Holds the name while the rootfs is made; the metadata goes to disk only once that worked.
      containers.put(id, c);
    }
    Path dir = store.dirOf(id);
    try {
      Files.createDirectories(dir);
      for (var m : mounts) {
        if (m.type().equals("volume") && !volumes.exists(m.source())) {
          volumes.create(m.source(), "local", Map.of(), Map.of());
        }
      }
      rootfs.prepare(c.snapshotKey(), image, rootfsPath(id));
      store.save(c);
    } catch (RuntimeException | IOException e) {
      containers.remove(id);
      cleanupIncomplete(id, c.snapshotKey());
      if (e instanceof IOException io) {
        throw new UncheckedIOException("creating container " + id + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
    events.publish("container", "create", id, attributes(c));
    return c;
  }

  private boolean nameTaken(String name) {
    return containers.values().stream().anyMatch(x -> x.name().equals(name));
  }

  private static ContainerSpec.Host withMounts(ContainerSpec.Host h, List<ContainerSpec.MountSpec> mounts) {
    return new ContainerSpec.Host(h.binds(), mounts, h.tmpfs(), h.readOnly(), h.networkMode(), h.memory(), h.memorySwap(),
        h.nanoCpus(), h.cpuShares(), h.pidsLimit(), h.capAdd(), h.capDrop(), h.privileged(), h.securityOpt(),
        h.restartPolicy(), h.autoRemove(), h.runtime(), h.logConfig(), h.init());
  }

  /** Docker's merge of run options over the image config. */
  static ContainerSpec merge(ContainerSpec s, ContainerConfig img) {
    List<String> entrypoint = s.entrypoint();
    List<String> cmd = s.cmd();
    if (entrypoint == null) {
      entrypoint = img.entrypoint();
      if (cmd == null || cmd.isEmpty()) {
        cmd = img.cmd();
      }
    } else if (entrypoint.isEmpty()) {
      // --entrypoint "": no entrypoint, and the image's cmd only if none was given
      entrypoint = null;
      if (cmd == null || cmd.isEmpty()) {
        cmd = img.cmd();
      }
    }
    var env = new LinkedHashMap<String, String>();
    for (String e : img.env() == null ? List.<String>of() : img.env()) {
      env.put(key(e), e);
    }
    for (String e : s.env()) {
      env.put(key(e), e);
    }
    var labels = new LinkedHashMap<String, String>();
    if (img.labels() != null) {
      labels.putAll(img.labels());
    }
    labels.putAll(s.labels());
    String workingDir = s.workingDir().isEmpty() ? nullToEmpty(img.workingDir()) : s.workingDir();
    String user = s.user().isEmpty() ? nullToEmpty(img.user()) : s.user();
    String stopSignal = s.stopSignal() == null || s.stopSignal().isEmpty() ? img.stopSignal() : s.stopSignal();
    return new ContainerSpec(s.image(), entrypoint, cmd, new ArrayList<>(env.values()), workingDir, user, labels,
        s.hostname(), s.domainname(), s.tty(), s.openStdin(), s.stdinOnce(), s.attachStdin(), s.attachStdout(),
        s.attachStderr(), stopSignal, s.stopTimeout(), s.host());
  }

  private static String key(String env) {
    int eq = env.indexOf('=');
    return eq < 0 ? env : env.substring(0, eq);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static void checkHost(ContainerSpec.Host h) {
    switch (h.networkMode()) {
      case "none", "host", "default", "bridge" -> {}
      default -> throw new NotFoundException("network " + h.networkMode() + " not found");
    }
    if (h.memory() != 0 && h.memory() < MIN_MEMORY) {
      throw new InvalidArgumentException("Minimum memory limit allowed is 6MB");
    }
    if (h.memorySwap() > 0 && h.memory() > 0 && h.memorySwap() < h.memory()) {
      throw new InvalidArgumentException("Minimum memoryswap limit should be larger than memory limit, see usage");
    }
    if (h.memorySwap() > 0 && h.memory() == 0) {
      throw new InvalidArgumentException("You should always set the Memory limit when using Memoryswap limit, see usage");
    }
    if (h.nanoCpus() < 0 || h.cpuShares() < 0) {
      throw new InvalidArgumentException("invalid CPU limit: NanoCPUs and CpuShares must not be negative");
    }
    if (h.autoRemove() && !h.restartPolicy().name().equals("no")) {
      throw new InvalidArgumentException("can't create 'AutoRemove' container with restart policy");
    }
    OciTasks.logOptions(h.logConfig()); // a malformed max-size or max-file fails the create, not the start
    if (!h.runtime().isEmpty() && !List.of("runc", "crun", "runsc").contains(h.runtime())) {
      throw new InvalidArgumentException("unknown or invalid runtime name: " + h.runtime());
    }
    for (String opt : h.securityOpt()) {
      if (!opt.equals("no-new-privileges") && !opt.equals("no-new-privileges:true") && !opt.equals("no-new-privileges=true")
          && !opt.startsWith("seccomp") && !opt.startsWith("apparmor") && !opt.startsWith("label")
          && !opt.equals("no-new-privileges:false") && !opt.equals("no-new-privileges=false")) {
        throw new InvalidArgumentException("invalid --security-opt: \"" + opt + "\"");
      }
    }
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  private Object lock(String id) {
    return locks.computeIfAbsent(id, k -> new Object());
  }

  private Container update(Container c, ContainerState s) {
    Container next = c.withState(s);
    store.save(next);
    containers.put(c.id(), next);
    notifyWaiters(next, false);
    return next;
  }

  /**
   * Starts a created or exited container; false if it already runs (Docker answers 304). A
   * container whose process fails to start stays in its previous state with the error recorded.
   */
  public boolean start(String idOrName) {
    Container c = get(idOrName);
    synchronized (lock(c.id())) {
      c = get(c.id());
      ContainerStatus s = c.state().status();
      if (s == ContainerStatus.RUNNING || s == ContainerStatus.PAUSED) {
        return false;
      }
      if (!s.canBecome(ContainerStatus.RUNNING)) {
        throw new FailedPreconditionException("cannot start container " + c.id() + ": container is " + s.wire());
      }
      startLocked(c);
      return true;
    }
  }

  private void startLocked(Container c) {
    runtime.unavailable().ifPresent(why -> {
      throw new dev.berth.errors.UnavailableException("starting container " + c.shortId() + ": " + why, null);
    });
    Path dir = store.dirOf(c.id());
    TaskRuntime.Started started;
    // Taken before the process exists, so that "since StartedAt" covers all of this run's output.
    Instant startedAt = Instant.now();
    try {
      rootfs.mount(c.snapshotKey(), rootfsPath(c.id()));
      Image image = images.store().find(c.imageId().toString()).orElse(null);
      var launch = new TaskRuntime.Launch(c, dir, rootfsPath(c.id()),
          image == null ? null : image.config(), Mounts.resolve(c.spec().host().mounts(), volumes));
      runtime.reset(c, dir);
      started = runtime.start(launch);
    } catch (RuntimeException e) {
      int code = e instanceof TaskStartException t ? t.exitCode() : 128;
      update(c, c.state().failed(code, e.getMessage(), Instant.now()));
      events.publish("container", "die", c.id(), with(attributes(c), "exitCode", Integer.toString(code)));
      if (c.spec().host().autoRemove()) {
        // As Docker: a --rm container that cannot start is removed, which ends the client's wait for it.
        try {
          remove(c.id(), true, false);
        } catch (RuntimeException removing) {
          e.addSuppressed(removing);
        }
      }
      throw e;
    }
    Container running = update(c, c.state().running(started.pid(), started.supervisorPid(), startedAt));
    events.publish("container", "start", c.id(), attributes(running));
    monitor(running);
  }

  /** Watches a running container's init on a virtual thread and records its exit. */
  private void monitor(Container c) {
    monitors.add(Thread.ofVirtual().name("monitor-" + c.shortId()).start(() -> {
      TaskRuntime.Exit exit;
      AutoCloseable rotation = () -> {};
      try {
        rotation = runtime.watchLog(c, store.dirOf(c.id()));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "rotating the log of container " + c.shortId() + ": " + e.getMessage());
      }
      try {
        exit = runtime.awaitExit(c, store.dirOf(c.id()));
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (shuttingDown) {
          return;
        }
        LOG.log(Level.WARNING, "watching container " + c.shortId() + ": " + e.getMessage());
        exit = new TaskRuntime.Exit(255, false, Instant.now());
      } finally {
        try {
          rotation.close();
        } catch (Exception e) {
          LOG.log(Level.DEBUG, "stopping the log rotation of container " + c.shortId() + ": " + e.getMessage());
        }
      }
      monitors.remove(Thread.currentThread());
      if (shuttingDown) {
        // The daemon is going away: the next one reads this exit from conmon's exit file.
        return;
      }
      onExit(c.id(), exit);
    }));
  }

  private void onExit(String id, TaskRuntime.Exit exit) {
    Container c;
    boolean restart;
    synchronized (lock(id)) {
      c = containers.get(id);
      if (c == null || !c.state().running() && c.state().status() != ContainerStatus.RESTARTING) {
        return;
      }
      c = update(c, c.state().exited(exit.code(), exit.oomKilled(), exit.at()));
      if (exit.oomKilled()) {
        events.publish("container", "oom", id, attributes(c));
      }
      events.publish("container", "die", id, with(attributes(c), "exitCode", Integer.toString(exit.code())));
      notifyWaiters(c, true);
      restart = !shuttingDown && c.spec().host().restartPolicy()
          .restartsAfter(exit.code(), c.state().stoppedByUser(), c.state().restartCount());
      if (restart) {
        c = update(c, c.state().restarted());
      }
    }
    if (c.spec().host().autoRemove() && !restart) {
      awaitDetach(id);
      try {
        remove(id, true, false);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "auto-removing container " + c.shortId() + ": " + e.getMessage());
      }
      return;
    }
    if (restart) {
      scheduleRestart(c);
    }
  }

  /**
   * Marks a client attached to the container's output until the returned handle is closed, so
   * that an auto-remove waits for it to drain the log ({@code docker run --rm} attaches).
   */
  public AutoCloseable attach(String id) {
    var n = attachers.computeIfAbsent(id, k -> new java.util.concurrent.atomic.AtomicInteger());
    n.incrementAndGet();
    return n::decrementAndGet;
  }

  private void awaitDetach(String id) {
    var n = attachers.get(id);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (n != null && n.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    attachers.remove(id);
  }

  private void scheduleRestart(Container c) {
    // Docker's back-off starts at 100 ms and doubles; one step is enough to not spin on a crash loop.
    long delay = Math.min(100L << Math.min(c.state().restartCount(), 10), 60_000);
    Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(delay);
        synchronized (lock(c.id())) {
          Container now = containers.get(c.id());
          if (now == null || now.state().status() != ContainerStatus.RESTARTING || shuttingDown) {
            return;
          }
          startLocked(now);
        }
      } catch (InterruptedException ignored) {
        // shutting down
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "restarting container " + c.shortId() + ": " + e.getMessage());
      }
    });
  }

  /**
   * Stops a container: its stop signal (the image's STOPSIGNAL or SIGTERM), then SIGKILL after
   * {@code timeoutSeconds} (null: the container's or 10; negative: wait for ever). False when it
   * was not running (Docker answers 304).
   */
  public boolean stop(String idOrName, Integer timeoutSeconds, String signal) {
    Container c = get(idOrName);
    CompletableFuture<Container> exited;
    synchronized (lock(c.id())) {
      c = get(c.id());
      if (c.state().status() == ContainerStatus.RESTARTING) {
        update(c, c.state().stoppedByUser(true).withStatus(ContainerStatus.EXITED));
        return true;
      }
      if (!c.state().running()) {
        return false;
      }
      c = update(c, c.state().stoppedByUser(true));
      exited = waitFor(c, WaitCondition.NEXT_EXIT);
      int sig = Signals.parse(signal != null && !signal.isEmpty() ? signal
          : c.spec().stopSignal() != null && !c.spec().stopSignal().isEmpty() ? c.spec().stopSignal() : "SIGTERM");
      if (c.state().status() == ContainerStatus.PAUSED) {
        runtime.resume(c, store.dirOf(c.id()));
      }
      events.publish("container", "kill", c.id(), with(attributes(c), "signal", Integer.toString(sig)));
      safeKill(c, sig);
    }
    int timeout = timeoutSeconds != null ? timeoutSeconds
        : c.spec().stopTimeout() != null ? c.spec().stopTimeout() : DEFAULT_STOP_TIMEOUT;
    try {
      if (timeout < 0) {
        exited.get();
      } else {
        exited.get(timeout, TimeUnit.SECONDS);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      events.publish("container", "kill", c.id(), with(attributes(c), "signal", "9"));
      safeKill(c, Signals.SIGKILL);
      awaitQuietly(exited);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      // removed meanwhile: stopped anyway
    }
    events.publish("container", "stop", c.id(), attributes(c));
    return true;
  }

  private void safeKill(Container c, int sig) {
    try {
      runtime.kill(c, store.dirOf(c.id()), sig, false);
    } catch (RuntimeException e) {
      // It may have exited between the check and the signal; the monitor records that.
      LOG.log(Level.DEBUG, "signalling " + c.shortId() + ": " + e.getMessage());
    }
  }

  private static void awaitQuietly(CompletableFuture<Container> f) {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // reported by the state
    }
  }

  /** Sends a signal (default SIGKILL) to a running container. */
  public void kill(String idOrName, String signal) {
    int sig = Signals.parse(signal);
    Container c = get(idOrName);
    CompletableFuture<Container> exited = null;
    synchronized (lock(c.id())) {
      c = get(c.id());
      if (!c.state().running()) {
        throw new FailedPreconditionException("Cannot kill container: " + idOrName + ": Container " + c.id() + " is not running");
      }
      if (sig == Signals.SIGKILL || sig == Signals.SIGTERM || sig == 2) {
        c = update(c, c.state().stoppedByUser(true));
      }
      if (sig == Signals.SIGKILL) {
        exited = waitFor(c, WaitCondition.NEXT_EXIT);
      }
      events.publish("container", "kill", c.id(), with(attributes(c), "signal", Integer.toString(sig)));
      runtime.kill(c, store.dirOf(c.id()), sig, false);
    }
    if (exited != null) {
      // Docker's kill -9 returns once the container is dead, so a following inspect sees it exited.
      awaitQuietly(exited);
    }
  }

  public void restart(String idOrName, Integer timeoutSeconds, String signal) {
    Container c = get(idOrName);
    stop(c.id(), timeoutSeconds, signal);
    synchronized (lock(c.id())) {
      Container now = get(c.id());
      if (now.state().running()) {
        return;
      }
      startLocked(now.withState(now.state().withStatus(
          now.state().status() == ContainerStatus.CREATED ? ContainerStatus.CREATED : ContainerStatus.EXITED)));
    }
    events.publish("container", "restart", c.id(), attributes(get(c.id())));
  }

  public void pause(String idOrName) {
    Container c = get(idOrName);
    synchronized (lock(c.id())) {
      c = get(c.id());
      if (c.state().status() == ContainerStatus.PAUSED) {
        throw new FailedPreconditionException("Container " + c.id() + " is already paused");
      }
      if (c.state().status() != ContainerStatus.RUNNING) {
        throw new FailedPreconditionException("Container " + c.id() + " is not running");
      }
      runtime.pause(c, store.dirOf(c.id()));
      update(c, c.state().withStatus(ContainerStatus.PAUSED));
      events.publish("container", "pause", c.id(), attributes(c));
    }
  }

  public void unpause(String idOrName) {
    Container c = get(idOrName);
    synchronized (lock(c.id())) {
      c = get(c.id());
      if (c.state().status() != ContainerStatus.PAUSED) {
        throw new FailedPreconditionException("Container " + c.id() + " is not paused");
      }
      runtime.resume(c, store.dirOf(c.id()));
      update(c, c.state().withStatus(ContainerStatus.RUNNING));
      events.publish("container", "unpause", c.id(), attributes(c));
    }
  }

  /**
   * Completes with the container once {@code condition} holds: not running (at once for a created
   * or exited container), its next exit, or its removal.
   */
  public CompletableFuture<Container> await(String idOrName, WaitCondition condition) {
    Container c = get(idOrName);
    synchronized (lock(c.id())) {
      return waitFor(get(c.id()), condition);
    }
  }

  private CompletableFuture<Container> waitFor(Container c, WaitCondition condition) {
    var f = new CompletableFuture<Container>();
    if (condition == WaitCondition.NOT_RUNNING && !c.state().running()
        && c.state().status() != ContainerStatus.RESTARTING) {
      f.complete(c);
      return f;
    }
    waiters.computeIfAbsent(c.id(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(new Waiter(condition, f));
    return f;
  }

  private void notifyWaiters(Container c, boolean exited) {
    List<Waiter> ws = waiters.get(c.id());
    if (ws == null) {
      return;
    }
    for (Waiter w : ws) {
      boolean done = switch (w.condition()) {
        case NOT_RUNNING -> !c.state().running() && c.state().status() != ContainerStatus.RESTARTING;
        case NEXT_EXIT -> exited;
        case REMOVED -> false;
      };
      if (done) {
        ws.remove(w);
        w.future().complete(c);
      }
    }
  }

  /**
   * Removes a container: refuses a running one unless {@code force} (which kills it first), then
   * deletes the runtime's state and cgroup, the rootfs, and the metadata, in that order.
   *
   * @param volumes also remove the anonymous volumes it used
   */
  public void remove(String idOrName, boolean force, boolean volumes) {
    Container c = get(idOrName);
    CompletableFuture<Container> exited = null;
    synchronized (lock(c.id())) {
      c = get(c.id());
      if (c.state().status() == ContainerStatus.REMOVING) {
        throw new FailedPreconditionException("removal of container " + c.id() + " is already in progress");
      }
      if (c.state().running()) {
        if (!force) {
          String what = c.state().status() == ContainerStatus.PAUSED ? "paused" : "running";
          throw new FailedPreconditionException("cannot remove container \"/" + c.name() + "\": container is " + what
              + ": stop the container before removing or force remove");
        }
        c = update(c, c.state().stoppedByUser(true));
        exited = waitFor(c, WaitCondition.NEXT_EXIT);
        if (c.state().status() == ContainerStatus.PAUSED) {
          runtime.resume(c, store.dirOf(c.id()));
        }
        try {
          runtime.kill(c, store.dirOf(c.id()), Signals.SIGKILL, true);
        } catch (NotFoundException gone) {
          // The runtime no longer knows it (removed behind our back): nothing to wait for.
          exited = null;
        }
      }
    }
    if (exited != null) {
      awaitQuietly(exited);
    }
    synchronized (lock(c.id())) {
      c = get(c.id());
      c = update(c, c.state().withStatus(ContainerStatus.REMOVING));
      try {
        runtime.delete(c, store.dirOf(c.id()));
        rootfs.remove(c.snapshotKey(), rootfsPath(c.id()));
        store.delete(c.id());
      } catch (RuntimeException e) {
        update(c, c.state().withStatus(ContainerStatus.DEAD));
        throw new FailedPreconditionException("removing container " + c.shortId() + ": " + e.getMessage(), e);
      }
      containers.remove(c.id());
      locks.remove(c.id());
    }
    if (volumes) {
      for (var m : c.spec().host().mounts()) {
        if (m.type().equals("volume") && VolumeService.anonymous(m.source())) {
          try {
            this.volumes.remove(m.source(), true);
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "removing volume " + m.source() + ": " + e.getMessage());
          }
        }
      }
    }
    events.publish("container", "destroy", c.id(), attributes(c));
    List<Waiter> ws = waiters.remove(c.id());
    if (ws != null) {
      for (Waiter w : ws) {
        w.future().complete(c);
      }
    }
  }

  /** Renames a container; Docker's messages for a taken or unchanged name. */
  public void rename(String idOrName, String newName) {
    if (newName == null || newName.isEmpty()) {
      throw new InvalidArgumentException("Neither old nor new names may be empty");
    }
    String name = Names.validate(newName);
    Container c = get(idOrName);
    synchronized (names) {
      synchronized (lock(c.id())) {
        c = get(c.id());
        if (c.name().equals(name)) {
          throw new InvalidArgumentException("Renaming a container with the same name as its current name");
        }
        if (nameTaken(name)) {
          Container holder = get(name);
          throw new AlreadyExistsException("Error when allocating new name: Conflict. The container name \"/" + name
              + "\" is already in use by container \"" + holder.id()
              + "\". You have to remove (or rename) that container to be able to reuse that name.");
        }
        String old = c.name();
        Container renamed = c.withName(name);
        store.save(renamed);
        containers.put(c.id(), renamed);
        events.publish("container", "rename", c.id(), with(attributes(renamed), "oldName", "/" + old));
      }
    }
  }

  /** Removes the stopped containers {@code keep} does not keep; returns their IDs and the bytes freed. */
  public PruneReport prune(Predicate<Container> keep) {
    List<String> deleted = new ArrayList<>();
    long reclaimed = 0;
    for (Container c : list()) {
      if (c.state().running() || c.state().status() == ContainerStatus.RESTARTING || keep.test(c)) {
        continue;
      }
      long size = sizeRw(c);
      try {
        remove(c.id(), false, false);
        deleted.add(c.id());
        reclaimed += size;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "pruning container " + c.shortId() + ": " + e.getMessage());
      }
    }
    return new PruneReport(deleted, reclaimed);
  }

  public record PruneReport(List<String> deleted, long reclaimedBytes) {}

  /** The bytes of the container's own writable layer. */
  public long sizeRw(Container c) {
    return VolumeService.sizeOf(store.dirOf(c.id()).resolve("rootfs-upper"));
  }

  public List<List<String>> top(String idOrName, List<String> psArgs) {
    Container c = get(idOrName);
    if (!c.state().running()) {
      throw new FailedPreconditionException("Container " + c.id() + " is not running");
    }
    return runtime.top(c, store.dirOf(c.id()), psArgs);
  }

  /** Sets the TTY size of a running container ({@code docker run -it} and terminal resizes). */
  public void resize(String idOrName, int height, int width) {
    Container c = get(idOrName);
    if (height < 0 || width < 0) {
      throw new InvalidArgumentException("resizing container " + c.shortId() + ": height " + height + " and width "
          + width + " must not be negative");
    }
    if (!c.state().running()) {
      throw new FailedPreconditionException("Container " + c.id() + " is not running");
    }
    runtime.resize(c, store.dirOf(c.id()), height, width);
  }

  /** The log file of a container. */
  public Path logPath(String idOrName) {
    return runtime.logPath(store.dirOf(get(idOrName).id()));
  }

  // ---- daemon start and stop ------------------------------------------------------------------

  /**
   * Loads the containers on disk: cleans creates a crash interrupted, finds which of the running
   * ones still run (their conmon survived the daemon) and which exited meanwhile (their exit
   * file), and starts those whose restart policy says so.
   */
  public void recover() {
    ContainerStore.Loaded loaded = store.loadAll();
    for (String id : loaded.incomplete()) {
      LOG.log(Level.INFO, "removing container " + id + ": its create did not finish");
      cleanupIncomplete(id, "ctr-" + id);
    }
    List<Container> toStart = new ArrayList<>();
    for (Container c : loaded.containers()) {
      containers.put(c.id(), c);
    }
    for (Container c : loaded.containers()) {
      ContainerStatus s = c.state().status();
      if (s == ContainerStatus.RUNNING || s == ContainerStatus.PAUSED || s == ContainerStatus.RESTARTING) {
        Optional<TaskRuntime.Exit> exit = s == ContainerStatus.RESTARTING ? Optional.of(
            new TaskRuntime.Exit(c.state().exitCode(), false, Instant.now())) : runtime.exited(c, store.dirOf(c.id()));
        if (exit.isPresent()) {
          Container exited = update(c, c.state().exited(exit.get().code(), exit.get().oomKilled(), exit.get().at()));
          events.publish("container", "die", c.id(), with(attributes(exited), "exitCode",
              Integer.toString(exit.get().code())));
          if (exited.spec().host().restartPolicy().restartsAfter(exit.get().code(), exited.state().stoppedByUser(),
              exited.state().restartCount())) {
            toStart.add(exited);
          } else if (exited.spec().host().autoRemove()) {
            remove(c.id(), true, false);
          }
        } else {
          monitor(c);
        }
      } else if (s == ContainerStatus.REMOVING || s == ContainerStatus.DEAD) {
        try {
          remove(c.id(), true, false);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "finishing removal of " + c.shortId() + ": " + e.getMessage());
        }
      } else if (s == ContainerStatus.EXITED
          && c.spec().host().restartPolicy().restartsWithDaemon(c.state().stoppedByUser())) {
        toStart.add(c);
      }
    }
    for (Container c : toStart) {
      try {
        synchronized (lock(c.id())) {
          startLocked(get(c.id()));
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "restarting container " + c.shortId() + " at daemon start: " + e.getMessage());
      }
    }
  }

  /** Stops watching: containers keep running under conmon; restarts are not scheduled any more. */
  public void shutdown() {
    shuttingDown = true;
    monitors.forEach(Thread::interrupt);
    if (cgroupParent != null && containers.values().stream().noneMatch(c -> c.state().running())) {
      // The parent cgroups are ours; removing one that still has children fails, which is right.
      for (Path dir : dev.berth.runtime.Cgroups.dirs(cgroupParent)) {
        try {
          Files.deleteIfExists(dir);
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.DEBUG, "keeping cgroup " + dir + ": " + e.getMessage());
        }
      }
    }
  }

  private void cleanupIncomplete(String id, String key) {
    try {
      rootfs.remove(key, rootfsPath(id));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "removing rootfs of unfinished container " + id + ": " + e.getMessage());
    }
    try {
      store.delete(id);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "removing state of unfinished container " + id + ": " + e.getMessage());
    }
  }

  /** The attributes Docker puts on container events: labels, name, image. */
  public static Map<String, String> attributes(Container c) {
    var m = new LinkedHashMap<String, String>(c.spec().labels());
    m.put("image", c.spec().image());
    m.put("name", c.name());
    return m;
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    var copy = new LinkedHashMap<>(m);
    copy.put(k, v);
    return copy;
  }

  Path root() {
    return root;
  }
}

package dev.berth.engine.container;

import dev.berth.errors.BerthException;
import dev.berth.errors.NotFoundException;
import dev.berth.logs.ConmonLogReopener;
import dev.berth.logs.LogOptions;
import dev.berth.logs.LogRotator;
import dev.berth.oci.ContainerConfig;
import dev.berth.runtime.ContainerRuntime;
import dev.berth.runtime.CreateOptions;
import dev.berth.runtime.ExecOptions;
import dev.berth.runtime.spec.ContainerSpecs;
import dev.berth.runtime.spec.HostLimits;
import dev.berth.runtime.spec.Limits;
import dev.berth.runtime.spec.MountSpec;
import dev.berth.runtime.spec.RunConfig;
import dev.berth.runtime.spec.Spec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link TaskRuntime} over the runtime module: a spec composed from the effective container
 * spec, run by runc/crun/runsc under conmon ({@link ContainerRuntime}).
 */
public final class OciTasks implements TaskRuntime {
  private static final Path INIT = Path.of("/usr/bin/docker-init");
  private final ContainerRuntime runtime;
  private final HostLimits host = HostLimits.ofThisProcess();
  /** How often a rotating log's size is checked: it may overshoot max-size by what is written meanwhile. */
  private static final Duration LOG_CHECK = Duration.ofMillis(200);
  /** Where {@link #reset} keeps the previous run's log, in the container's state dir, until the next create. */
  private static final String PREVIOUS_LOG = "previous-log";
  /** Running exec sessions with a TTY: the API's exec id to the runtime's session id, for resizes. */
  private final java.util.Map<String, String> execSessions = new java.util.concurrent.ConcurrentHashMap<>();

  public OciTasks(ContainerRuntime runtime) {
    this.runtime = runtime;
  }

  public ContainerRuntime runtime() {
    return runtime;
  }

  @Override
  public Started start(Launch l) {
    Container c = l.container();
    ContainerSpec s = c.spec();
    RunConfig run = runConfig(c, l.mounts());
    Spec spec = ContainerSpecs.forContainer(ContainerConfig.EMPTY, run, l.rootfs(), runtime.cgroupsPath(c.id()), host);
    var options = CreateOptions.defaults().withName(c.name()).withTty(s.tty()).withStdin(s.openStdin())
        .withRuntime(s.host().runtime().isEmpty() ? null : s.host().runtime());
    try {
      runtime.create(c.id(), spec, options);
    } catch (BerthException e) {
      String m = e.getMessage();
      throw new TaskStartException(ContainerRuntime.startFailureExitCode(m), m, e);
    }
    try {
      restorePreviousLog(l.stateDir(), runtime.logPath(c.id()));
    } catch (IOException e) {
      delete(c, l.stateDir());
      throw new UncheckedIOException("keeping the log of container " + c.shortId() + " across its restart: "
          + e.getMessage(), e);
    }
    try {
      runtime.start(c.id());
    } catch (RuntimeException e) {
      delete(c, l.stateDir());
      throw new TaskStartException(ContainerRuntime.startFailureExitCode(String.valueOf(e.getMessage())), e.getMessage(), e);
    }
    var st = runtime.state(c.id());
    return new Started((int) st.pid(), 0);
  }

  private static RunConfig runConfig(Container c, List<ContainerSpec.MountSpec> mounts) {
    ContainerSpec s = c.spec();
    ContainerSpec.Host h = s.host();
    var b = RunConfig.builder()
        .entrypoint(s.entrypoint() == null ? List.of() : s.entrypoint())
        .cmd(s.cmd() == null ? List.of() : s.cmd())
        .env(s.env())
        .workingDir(s.workingDir())
        .user(s.user())
        .hostname(s.hostname().isEmpty() ? c.id().substring(0, 12) : s.hostname())
        .tty(s.tty())
        .openStdin(s.openStdin())
        .network(h.networkMode().equals("host") ? new RunConfig.Network.Host() : new RunConfig.Network.None())
        .capAdd(h.capAdd())
        .capDrop(h.capDrop())
        .privileged(h.privileged())
        .noNewPrivileges(h.securityOpt().stream().anyMatch(o -> o.equals("no-new-privileges")
            || o.equals("no-new-privileges:true") || o.equals("no-new-privileges=true")))
        .readOnlyRootfs(h.readOnly())
        .limits(new Limits(h.memory(), h.memorySwap(), h.nanoCpus(), h.cpuShares(),
            h.pidsLimit() == null || h.pidsLimit() < 0 ? 0 : h.pidsLimit()));
    for (var m : mounts) {
      switch (m.type()) {
        case "bind" -> b.mount(new MountSpec.Bind(m.source(), m.destination(), m.readOnly()));
        case "tmpfs" -> b.mount(new MountSpec.Tmpfs(m.destination(), m.options()));
        default -> throw new dev.berth.errors.InvalidArgumentException("mount type " + m.type() + " is not supported");
      }
    }
    if (Boolean.TRUE.equals(h.init())) {
      // Docker's --init: its tini as pid 1, bind-mounted read-only, running the command.
      b.mount(new MountSpec.Bind(INIT.toString(), "/sbin/docker-init", true));
      var argv = new ArrayList<String>(List.of("/sbin/docker-init", "--"));
      argv.addAll(s.argv());
      b.entrypoint(argv).cmd(List.of());
    }
    return b.build();
  }

  /**
   * The previous run's log goes back under the new bundle before the init starts: its rotated files
   * as they were, its live part ahead of the new live log (which conmon holds open with O_APPEND
   * and has not written to yet), so the container's output reads as one log.
   */
  private static void restorePreviousLog(Path stateDir, Path log) throws IOException {
    Path stash = stateDir.resolve(PREVIOUS_LOG);
    if (!Files.isDirectory(stash)) {
      return;
    }
    try (var files = Files.list(stash)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.equals(log.getFileName().toString())) {
          try (var to = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.WRITE,
              java.nio.file.StandardOpenOption.APPEND, java.nio.file.StandardOpenOption.CREATE);
              var from = java.nio.channels.FileChannel.open(f)) {
            for (long pos = 0, size = from.size(); pos < size; ) {
              pos += from.transferTo(pos, size - pos, to);
            }
          }
          Files.delete(f);
        } else {
          Files.move(f, log.resolveSibling(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    Files.delete(stash);
  }

  @Override
  public void reset(Container c, Path stateDir) {
    Path log = logPath(stateDir);
    Path stash = stateDir.resolve(PREVIOUS_LOG);
    // A stash left by a start that failed is still the previous log: the failed run wrote none.
    if (!Files.exists(stash) && Files.isDirectory(log.getParent())) {
      Path tmp = stateDir.resolve(PREVIOUS_LOG + ".tmp");
      String prefix = log.getFileName().toString();
      try (var files = Files.list(log.getParent())) {
        Files.createDirectories(tmp);
        for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
          Files.move(f, tmp.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, stash, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("keeping the log of container " + c.shortId() + " across its restart: "
            + e.getMessage(), e);
      }
    }
    delete(c, stateDir);
  }

  @Override
  public AutoCloseable watchLog(Container c, Path stateDir) {
    LogOptions options = logOptions(c.spec().host().logConfig());
    if (!options.rotates()) {
      return () -> {};
    }
    Path log = runtime.logPath(c.id());
    return new LogRotator(log, options, new ConmonLogReopener(log.getParent())).watch(LOG_CHECK);
  }

  /**
   * The rotation options of a log config: {@code max-size} and {@code max-file}; Docker's other
   * json-file options (labels, tag, compress …) do not change where lines go, so they are ignored.
   */
  static LogOptions logOptions(ContainerSpec.LogConfig config) {
    if (config == null || config.config() == null) {
      return LogOptions.UNLIMITED;
    }
    var rotation = new java.util.LinkedHashMap<String, String>();
    config.config().forEach((k, v) -> {
      if (k.equals("max-size") || k.equals("max-file")) {
        rotation.put(k, v);
      }
    });
    return LogOptions.parse(rotation);
  }

  @Override
  public void resize(Container c, Path stateDir, int height, int width) {
    if (c.spec().tty()) {
      runtime.resize(c.id(), height, width);
    }
  }

  @Override
  public void resizeExec(Container c, Path stateDir, String execId, int height, int width) {
    String session = execSessions.get(execId);
    if (session != null) {
      runtime.resizeExec(c.id(), session, height, width);
    }
  }

  @Override
  public void kill(Container c, Path stateDir, int signal, boolean all) {
    runtime.kill(c.id(), signal, all);
  }

  @Override
  public void pause(Container c, Path stateDir) {
    runtime.pause(c.id());
  }

  @Override
  public void resume(Container c, Path stateDir) {
    runtime.resume(c.id());
  }

  @Override
  public void delete(Container c, Path stateDir) {
    try {
      runtime.delete(c.id(), true);
    } catch (NotFoundException e) {
      // never created, or already gone
    }
  }

  @Override
  public Exit awaitExit(Container c, Path stateDir) {
    while (true) {
      Optional<dev.berth.runtime.ContainerStatus> done;
      try {
        done = runtime.waitExit(c.id(), Duration.ofSeconds(30));
      } catch (NotFoundException e) {
        return new Exit(255, false, Instant.now());
      }
      if (done.isPresent()) {
        return exit(done.get());
      }
    }
  }

  private static Exit exit(dev.berth.runtime.ContainerStatus s) {
    return new Exit(s.exitCode() == null ? 255 : s.exitCode(), s.oomKilled(),
        s.finishedAt() == null ? Instant.now() : s.finishedAt());
  }

  @Override
  public Optional<Exit> exited(Container c, Path stateDir) {
    try {
      var s = runtime.state(c.id());
      return s.running() ? Optional.empty() : Optional.of(exit(s));
    } catch (NotFoundException e) {
      return Optional.of(new Exit(255, false, Instant.now()));
    }
  }

  /**
   * {@code ps} on the host, rows kept for the container's processes (from its cgroup), as Docker's
   * top does.
   */
  @Override
  public List<List<String>> top(Container c, Path stateDir, List<String> psArgs) {
    Set<String> pids = pidsOf(runtime.cgroupsPath(c.id()));
    var argv = new ArrayList<String>(List.of("ps"));
    argv.addAll(psArgs);
    List<String> lines;
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        lines = r.lines().toList();
      }
      if (p.waitFor() != 0) {
        throw new dev.berth.errors.InvalidArgumentException("ps " + String.join(" ", psArgs) + ": " + String.join("\n", lines));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("running ps: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running ps", e);
    }
    if (lines.isEmpty()) {
      return List.of();
    }
    List<String> titles = List.of(lines.getFirst().strip().split("\\s+"));
    int pidCol = titles.indexOf("PID");
    if (pidCol < 0) {
      throw new dev.berth.errors.InvalidArgumentException("Couldn't find PID field in ps output");
    }
    List<List<String>> out = new ArrayList<>();
    out.add(titles);
    for (String line : lines.subList(1, lines.size())) {
      // The last column (the command) may hold spaces.
      String[] f = line.strip().split("\\s+", titles.size());
      if (f.length > pidCol && pids.contains(f[pidCol])) {
        out.add(List.of(f));
      }
    }
    return out;
  }

  private static Set<String> pidsOf(String cgroupsPath) {
    Set<String> pids = new HashSet<>();
    for (Path dir : dev.berth.runtime.Cgroups.dirs(cgroupsPath)) {
      Path procs = dir.resolve("cgroup.procs");
      try {
        if (Files.isReadable(procs)) {
          Files.readAllLines(procs).stream().map(String::strip).filter(x -> !x.isEmpty()).forEach(pids::add);
        }
      } catch (IOException ignored) {
        // the container went away meanwhile
      }
      if (!pids.isEmpty()) {
        break;
      }
    }
    return pids;
  }

  @Override
  public OutputStream openStdin(Container c, Path stateDir) {
    var attachment = runtime.attachStdin(c.id());
    OutputStream in = attachment.stdin();
    return new java.io.FilterOutputStream(in) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        in.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        try {
          in.close();
          // Detaching now could lose the end of input inside conmon (see attachStdin).
          attachment.awaitOutputEnd();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          attachment.close();
        }
      }
    };
  }

  @Override
  public Path logPath(Path stateDir) {
    String id = stateDir.getFileName().toString();
    try {
      return runtime.logPath(id);
    } catch (NotFoundException e) {
      // Not created in the runtime yet (or removed): where its log will be.
      return runtime.root().resolve("containers").resolve(id).resolve("ctr.log");
    }
  }

  @Override
  public int exec(ExecLaunch l, InputStream stdin, OutputStream stdout, OutputStream stderr) throws InterruptedException {
    var opts = new ExecOptions(l.argv(), l.env(), l.user() == null || l.user().isEmpty() ? null : l.user(),
        l.workingDir() == null || l.workingDir().isEmpty() ? null : l.workingDir(), l.tty(), true);
    try (var session = runtime.exec(l.container().id(), opts)) {
      if (l.tty()) {
        execSessions.put(l.execId(), session.id());
      }
      try {
        return run(session, stdin, stdout, stderr);
      } finally {
        execSessions.remove(l.execId());
      }
    }
  }

  private static int run(dev.berth.runtime.ExecSession session, InputStream stdin, OutputStream stdout,
      OutputStream stderr) throws InterruptedException {
    var attachment = session.attachment().orElseThrow();
    Thread in = null;
    if (stdin != null) {
      in = Thread.ofVirtual().start(() -> {
        try (OutputStream to = attachment.stdin()) {
          stdin.transferTo(to);
        } catch (IOException ignored) {
          // the process ended or the client left
        }
      });
    }
    Thread err = Thread.ofVirtual().start(() -> copy(attachment.stderr(), stderr));
    copy(attachment.stdout(), stdout);
    err.join();
    int code = session.exitCode().join();
    if (in != null) {
      in.interrupt();
    }
    return code;
  }

  private static void copy(InputStream in, OutputStream out) {
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        synchronized (out) {
          out.write(buf, 0, n);
          out.flush();
        }
      }
    } catch (IOException ignored) {
      // the client went away; the process runs on
    }
  }
}

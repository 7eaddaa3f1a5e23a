package dev.berth.daemon;

import dev.berth.api.server.EngineApi;
import dev.berth.api.server.EngineFacts;
import dev.berth.engine.ImageService;
import dev.berth.engine.container.ContainerService;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A running berthd: the root locked, the pidfile written, the Engine API served on every host.
 * {@link #close()} undoes all of it in reverse, and is what SIGTERM runs.
 *
 * <p>The lock on {@code ROOT/berthd.lock} is what keeps two daemons off one root; the pidfile
 * only says who holds it. A lock, unlike a pidfile, cannot go stale: the kernel drops it when the
 * process dies however it dies.
 */
public final class Daemon implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.berth.daemon");

  /**
   * What {@code berthd}'s flags say.
   *
   * @param defaultRuntime {@code --default-runtime} (runc, crun, runsc), or null for the fastest that works
   */
  public record Config(Path root, List<String> hosts, Path pidfile, boolean debug, String defaultRuntime) {
    public Config(Path root, List<String> hosts, Path pidfile, boolean debug) {
      this(root, hosts, pidfile, debug, null);
    }

    public Config {
      root = root.toAbsolutePath();
      hosts = List.copyOf(hosts);
      pidfile = pidfile == null ? root.resolve("berthd.pid") : pidfile.toAbsolutePath();
      defaultRuntime = defaultRuntime == null || defaultRuntime.isBlank() ? null : defaultRuntime;
      if (hosts.isEmpty()) {
        throw new InvalidArgumentException("no host to listen on: give -H unix:///path/to.sock or -H tcp://ip:port");
      }
    }
  }

  private final Config config;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final List<HttpServer> servers = new ArrayList<>();
  private ContainerService containers;
  private boolean closed;

  private Daemon(Config config, FileChannel lockChannel, FileLock lock) {
    this.config = config;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Locks the root, writes the pidfile, opens the image store and starts serving. */
  public static Daemon start(Config config) throws IOException {
    List<SocketAddress> addresses = config.hosts().stream().map(Daemon::address).toList();
    Files.createDirectories(config.root());
    Path lockFile = config.root().resolve("berthd.lock");
    FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null; // held by another daemon in this JVM (tests run several)
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new FailedPreconditionException("starting berthd on " + config.root() + ": another berthd"
          + holder(config.pidfile()) + " is using this root (it holds " + lockFile + ")");
    }
    var daemon = new Daemon(config, ch, lock);
    try {
      writePidfile(config.pidfile());
      ImageService images = ImageService.open(config.root());
      daemon.containers = ContainerService.open(config.root(), images, "berth", config.defaultRuntime());
      daemon.containers.recover();
      var api = EngineApi.handler(images, daemon.containers, EngineFacts.probe(config.root()), config.debug());
      for (SocketAddress a : addresses) {
        daemon.servers.add(HttpServer.start(a, api));
        LOG.log(Level.INFO, "API listening on " + describe(a));
      }
    } catch (IOException | RuntimeException e) {
      daemon.close();
      throw e;
    }
    return daemon;
  }

  public Config config() {
    return config;
  }

  public List<HttpServer> servers() {
    return List.copyOf(servers);
  }

  /** Stops serving (requests in flight get a grace period), removes sockets and pidfile, unlocks. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (HttpServer s : servers.reversed()) {
      s.close();
    }
    if (containers != null) {
      // Containers run on under conmon; a restarted daemon finds them again.
      containers.shutdown();
    }
    try {
      // Only our own pidfile: the root is locked, so nobody else wrote it meanwhile.
      Files.deleteIfExists(config.pidfile());
    } catch (IOException e) {
      LOG.log(Level.WARNING, "removing pidfile " + config.pidfile() + ": " + e.getMessage());
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "releasing " + config.root().resolve("berthd.lock") + ": " + e.getMessage());
    }
  }

  /** {@code unix:///run/berth/berth.sock}, {@code tcp://127.0.0.1:2375}; a bare path is a unix socket. */
  static SocketAddress address(String host) {
    if (host.startsWith("/")) {
      return UnixDomainSocketAddress.of(host);
    }
    if (host.startsWith("unix://")) {
      String path = host.substring("unix://".length());
      if (!path.startsWith("/")) {
        throw new InvalidArgumentException("invalid host " + host + ": want unix:///absolute/path");
      }
      return UnixDomainSocketAddress.of(path);
    }
    if (host.startsWith("tcp://")) {
      URI uri = URI.create(host);
      if (uri.getHost() == null || uri.getPort() < 0) {
        throw new InvalidArgumentException("invalid host " + host + ": want tcp://IP:PORT");
      }
      String h = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
      return new InetSocketAddress(h, uri.getPort());
    }
    throw new InvalidArgumentException("invalid host " + host + ": want unix:///path or tcp://IP:PORT");
  }

  private static String describe(SocketAddress a) {
    return switch (a) {
      case UnixDomainSocketAddress u -> "unix://" + u.getPath();
      case InetSocketAddress i -> "tcp://" + i.getHostString() + ":" + i.getPort();
      default -> a.toString();
    };
  }

  private static String holder(Path pidfile) {
    try {
      String pid = Files.readString(pidfile, StandardCharsets.UTF_8).strip();
      return pid.isEmpty() ? "" : " (pid " + pid + ")";
    } catch (IOException e) {
      return "";
    }
  }

  private static void writePidfile(Path pidfile) {
    try {
      if (pidfile.getParent() != null) {
        Files.createDirectories(pidfile.getParent());
      }
      Path tmp = pidfile.resolveSibling(pidfile.getFileName() + ".tmp");
      Files.writeString(tmp, ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, pidfile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("writing pidfile " + pidfile + ": " + e.getMessage(), e);
    }
  }
}

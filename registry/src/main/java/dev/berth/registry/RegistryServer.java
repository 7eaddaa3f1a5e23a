package dev.berth.registry;

import dev.berth.http.HttpServer;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running registry: the API on TCP (plain, or TLS through {@link TlsFront}), online garbage
 * collection and upload expiry on a schedule.
 *
 * <pre>{@code
 * try (var server = RegistryServer.start(RegistryConfig.read(Path.of("registry.yml")))) {
 *   server.awaitShutdown();   // until close(), e.g. from a SIGTERM hook
 * }
 * }</pre>
 *
 * {@link #close()} is graceful: it stops accepting, lets requests in flight finish within {@code
 * shutdown.grace}, then stops the background jobs. Upload sessions stay on disk and resume later.
 */
public final class RegistryServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.berth.registry");

  private final RegistryConfig config;
  private final Registry registry;
  private final Metrics metrics;
  private final HttpServer http;
  private final TlsFront tls;
  private final ScheduledExecutorService jobs;
  private final PrintStream accessLog;
  private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

  private RegistryServer(RegistryConfig config, Registry registry, Metrics metrics, HttpServer http, TlsFront tls,
                         ScheduledExecutorService jobs, PrintStream accessLog) {
    this.config = config;
    this.registry = registry;
    this.metrics = metrics;
    this.http = http;
    this.tls = tls;
    this.jobs = jobs;
    this.accessLog = accessLog;
  }

  public static RegistryServer start(RegistryConfig config) throws IOException {
    Files.createDirectories(config.root());
    var registry = new Registry(config.root(), Clock.systemUTC());
    var access = AccessControl.of(config.auth(), config.tls() != null, Clock.systemUTC());
    var metrics = new Metrics();
    PrintStream log = accessLog(config.accessLog());
    var api = new RegistryApi(registry, access, config.deleteEnabled(), metrics, log);
    var options = HttpServer.Options.defaults().withErrorRenderer(RegistryApi.renderer()).withShutdownGrace(config.shutdownGrace());
    HttpServer http;
    TlsFront tls = null;
    if (config.tls() == null) {
      http = HttpServer.start(config.listen(), api, options);
    } else {
      // The plain server listens only on a unix socket in a directory nobody else may enter.
      Path run = config.root().resolve("run");
      Files.createDirectories(run);
      Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
      Path sock = run.resolve("http.sock");
      http = HttpServer.start(UnixDomainSocketAddress.of(sock), api, options);
      try {
        tls = TlsFront.start(config.listen(), config.tls(), sock);
      } catch (IOException | RuntimeException e) {
        http.close();
        throw e;
      }
    }
    var jobs = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("berth-registry-jobs").factory());
    var server = new RegistryServer(config, registry, metrics, http, tls, jobs, log);
    server.schedule();
    return server;
  }

  private static PrintStream accessLog(String target) throws IOException {
    if (target == null || target.isEmpty()) {
      return null;
    }
    if (target.equals("-")) {
      return System.err;
    }
    Path p = Path.of(target);
    if (p.getParent() != null) {
      Files.createDirectories(p.getParent());
    }
    return new PrintStream(new FileOutputStream(p.toFile(), true), true, java.nio.charset.StandardCharsets.UTF_8);
  }

  private void schedule() {
    metrics.counter("berth_registry_gc_runs_total", "Garbage collection runs.")
        .counter("berth_registry_gc_blobs_deleted_total", "Blobs deleted by garbage collection.")
        .counter("berth_registry_gc_bytes_freed_total", "Bytes freed by garbage collection.")
        .counter("berth_registry_uploads_expired_total", "Upload sessions removed after expiring.");
    long expiryCheck = Math.max(1, Math.min(config.uploadExpiry().toMillis() / 4, Duration.ofMinutes(1).toMillis()));
    jobs.scheduleWithFixedDelay(this::expireUploads, expiryCheck, expiryCheck, TimeUnit.MILLISECONDS);
    if (!config.gcInterval().isZero()) {
      long every = config.gcInterval().toMillis();
      jobs.scheduleWithFixedDelay(this::collectGarbage, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void expireUploads() {
    try {
      metrics.add("berth_registry_uploads_expired_total", registry.expireUploads(config.uploadExpiry()));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "expiring upload sessions", e);
    }
  }

  /** Runs one garbage collection now (also what the schedule runs). */
  public Registry.GcResult collectGarbage() {
    try {
      var r = registry.collectGarbage(config.gcGrace());
      metrics.add("berth_registry_gc_runs_total", 1);
      metrics.add("berth_registry_gc_blobs_deleted_total", r.blobsDeleted());
      metrics.add("berth_registry_gc_bytes_freed_total", r.bytesFreed());
      LOG.log(System.Logger.Level.INFO, "garbage collection: " + r);
      return r;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "garbage collection failed", e);
      throw e;
    }
  }

  public Registry registry() {
    return registry;
  }

  public RegistryConfig config() {
    return config;
  }

  /** The TCP port clients connect to. */
  public int port() {
    return tls != null ? tls.port() : http.port();
  }

  /** {@code 127.0.0.1:PORT}-style host for clients, from the listen address. */
  public String hostPort() {
    String host = config.listen().getAddress().isAnyLocalAddress() ? "127.0.0.1" : config.listen().getHostString();
    return host + ":" + port();
  }

  /** Blocks until {@link #close()}. */
  public void awaitShutdown() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    if (tls != null) {
      tls.close();
    }
    http.close();
    if (tls != null) {
      tls.closeConnections();
    }
    jobs.shutdownNow();
    try {
      jobs.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    registry.close();
    if (accessLog != null && accessLog != System.err) {
      accessLog.close();
    }
    closed.countDown();
  }

  /** {@code java -cp … dev.berth.registry.RegistryServer CONFIG.yml}: what {@code berth registry serve} runs. */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: RegistryServer CONFIG.yml");
      System.exit(2);
    }
    System.exit(serve(Path.of(args[0]), System.err));
  }

  /** Serves until SIGTERM/SIGINT; returns the exit code. */
  public static int serve(Path configFile, PrintStream err) throws Exception {
    RegistryConfig config;
    RegistryServer server;
    try {
      config = RegistryConfig.read(configFile);
      server = start(config);
    } catch (RuntimeException | IOException e) {
      err.println("berth registry: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      err.println("berth registry: stopping (requests in flight get " + config.shutdownGrace().toSeconds() + "s)");
      server.close();
      err.println("berth registry: stopped");
      err.flush();
    }, "berth-registry-shutdown"));
    err.println("berth registry: serving " + (config.tls() != null ? "https" : "http") + "://" + server.hostPort()
        + " from " + config.root() + (config.auth() == null ? " (no authentication)" : ""));
    server.awaitShutdown();
    return 0;
  }

}

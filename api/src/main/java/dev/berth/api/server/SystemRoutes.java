package dev.berth.api.server;

import dev.berth.api.model.ApiVersion;
import dev.berth.api.model.ImageViews;
import dev.berth.api.model.SystemInfo;
import dev.berth.api.model.VersionInfo;
import dev.berth.engine.ImageService;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@code /_ping}, {@code /version} and {@code /info}. */
final class SystemRoutes {
  private final ImageService images;
  private final EngineFacts facts;
  /** Null when the API serves images only. */
  private final dev.berth.engine.container.ContainerService containers;
  private final boolean debug;
  /** Running runc costs milliseconds; only {@code docker info} needs it, so once, on demand. */
  private final Supplier<EngineFacts.RuncVersion> runc;

  SystemRoutes(ImageService images, dev.berth.engine.container.ContainerService containers, EngineFacts facts,
      boolean debug) {
    this.images = images;
    this.containers = containers;
    this.facts = facts;
    this.debug = debug;
    this.runc = memoize(facts::runcVersion);
  }

  void register(EngineApi.Routes r) {
    r.get("/_ping", this::ping);
    r.head("/_ping", this::ping);
    r.get("/version", this::version);
    r.get("/info", this::info);
  }

  /**
   * The CLI pings before anything else and reads these headers: the API version to speak, the
   * builder to use (1: the classic builder over {@code POST /build}) and the OS type.
   */
  private void ping(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    res.header("Cache-Control", "no-cache, no-store, must-revalidate")
        .header("Pragma", "no-cache")
        .header("Builder-Version", "1")
        .header("Swarm", "inactive");
    if (req.method().equals("HEAD")) {
      res.contentType("text/plain; charset=utf-8");
      return;
    }
    res.send("OK");
  }

  private void version(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    var details = new LinkedHashMap<String, String>();
    details.put("ApiVersion", ApiVersion.CURRENT.toString());
    details.put("Arch", facts.goArch());
    details.put("BuildTime", facts.buildTime());
    details.put("Experimental", "false");
    details.put("GitCommit", facts.gitCommit());
    details.put("GoVersion", javaVersion());
    details.put("KernelVersion", facts.kernelVersion());
    details.put("MinAPIVersion", ApiVersion.MINIMUM.toString());
    details.put("Os", "linux");
    var components = new java.util.ArrayList<VersionInfo.Component>();
    components.add(new VersionInfo.Component("Engine", facts.version(), details));
    var r = runc.get();
    if (!r.version().isEmpty()) {
      components.add(new VersionInfo.Component("runc", r.version(), Map.of("GitCommit", r.commit())));
    }
    Responses.json(res, new VersionInfo(new VersionInfo.Platform("berth " + facts.version()), components,
        facts.version(), ApiVersion.CURRENT.toString(), ApiVersion.MINIMUM.toString(), facts.gitCommit(),
        javaVersion(), "linux", facts.goArch(), facts.kernelVersion(), false, facts.buildTime()));
  }

  private void info(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    var r = runc.get();
    var runtimes = runtimes();
    var registry = new SystemInfo.RegistryConfig(null, null, List.of("::1/128", "127.0.0.0/8"),
        Map.of("docker.io", new SystemInfo.IndexInfo("docker.io", List.of(), true, true)), List.of());
    Responses.json(res, new SystemInfo(
        facts.id(),
        0, 0, 0, 0,
        images.list().size(),
        "overlayfs",
        List.of(List.of("driver-type", "berth snapshotter")),
        null,
        new SystemInfo.Plugins(List.of("local"), List.of("null"), null, List.of("json-file")),
        true, true,
        v.lessThan("1.42") ? Boolean.FALSE : null, v.lessThan("1.42") ? Boolean.FALSE : null,
        true, true, true, true, true,
        ipv4Forwarding(),
        // Dropped from the API in 1.48; older clients still read them.
        v.lessThan("1.48") ? procFlag("/proc/sys/net/bridge/bridge-nf-call-iptables") : null,
        v.lessThan("1.48") ? procFlag("/proc/sys/net/bridge/bridge-nf-call-ip6tables") : null,
        debug,
        openFiles(),
        false,
        Thread.getAllStackTraces().size(),
        ImageViews.rfc3339Nano(Instant.now()),
        "json-file",
        "cgroupfs",
        v.lessThan("1.40") ? null : facts.cgroupVersion(),
        0,
        facts.kernelVersion(),
        facts.operatingSystem(),
        facts.osVersion(),
        "linux",
        facts.architecture(),
        "https://index.docker.io/v1/",
        registry,
        facts.ncpu(),
        facts.memTotal(),
        null,
        facts.rootDir().toString(),
        env("HTTP_PROXY"), env("HTTPS_PROXY"), env("NO_PROXY"),
        facts.hostname(),
        List.of(),
        false,
        facts.version(),
        runtimes.runtimes(),
        runtimes.defaultRuntime(),
        SystemInfo.Swarm.INACTIVE,
        false,
        "",
        "",
        new SystemInfo.Commit("", null),
        new SystemInfo.Commit(r.commit(), null),
        new SystemInfo.Commit("", null),
        List.of(), // no seccomp or AppArmor profile is applied yet: claim none
        null, null, null, null, null, null,
        runtimes.warnings()));
  }

  /** What {@code /info} says of the OCI runtimes: each installed one, the default, and why that one. */
  private record Runtimes(Map<String, SystemInfo.Runtime> runtimes, String defaultRuntime, List<String> warnings) {}

  /**
   * The runtimes berthd can run containers with. The choice of the default and its reason go into
   * {@code Warnings}, because that is what {@code docker info} prints in full; each runtime's
   * {@code status} says whether it works here and why not.
   */
  private Runtimes runtimes() {
    if (containers == null || !(containers.runtime() instanceof dev.berth.engine.container.OciTasks tasks)) {
      return new Runtimes(Map.of("runc", new SystemInfo.Runtime(facts.runcPath(), null, null)), "runc", List.of());
    }
    var info = tasks.runtime().info();
    var installed = tasks.runtime().runtimes();
    var out = new java.util.TreeMap<String, SystemInfo.Runtime>();
    for (var o : info.runtimes()) {
      var rt = installed.get(o.name());
      if (rt == null) {
        continue;
      }
      var status = new LinkedHashMap<String, String>();
      status.put("works", Boolean.toString(o.works()));
      status.put("reason", o.reason());
      out.put(o.name(), new SystemInfo.Runtime(rt.binary().toString(),
          rt.extraArgs().isEmpty() ? null : rt.extraArgs(), status));
    }
    String chosen = info.defaultRuntime() == null ? "" : info.defaultRuntime();
    return new Runtimes(out, chosen, List.of("Default runtime: " + info.reason()));
  }

  private static String javaVersion() {
    return "java" + Runtime.version().feature();
  }

  private static boolean ipv4Forwarding() {
    try {
      return Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip().equals("1");
    } catch (Exception e) {
      return false;
    }
  }

  private static int openFiles() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? 0 : fds.length;
  }

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null) {
      v = System.getenv(name.toLowerCase(java.util.Locale.ROOT));
    }
    return v == null ? "" : v;
  }

  private static <T> Supplier<T> memoize(Supplier<T> s) {
    return new Supplier<>() {
      private volatile T value;

      @Override
      public T get() {
        T v = value;
        if (v == null) {
          synchronized (this) {
            if (value == null) {
              value = s.get();
            }
            v = value;
          }
        }
        return v;
      }
    };
  }

  /** A 0/1 kernel switch under /proc; false when absent (e.g. br_netfilter not loaded), as Docker reports it. */
  private static Boolean procFlag(String path) {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of(path)).strip().equals("1");
    } catch (java.io.IOException e) {
      return false;
    }
  }
}

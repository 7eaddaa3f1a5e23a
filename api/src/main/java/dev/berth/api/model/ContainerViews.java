package dev.berth.api.model;

import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerSpec;
import dev.berth.engine.container.ContainerStatus;
import dev.berth.engine.container.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Containers in the Engine API's shapes, and create requests in the engine's. */
public final class ContainerViews {
  private ContainerViews() {}

  /** Docker's default masked and read-only paths, as inspect shows them for unprivileged containers. */
  static final List<String> MASKED = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
      "/sys/firmware", "/sys/devices/virtual/powercap");
  static final List<String> READONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  /** The engine's spec from a create request's config and host config. */
  public static ContainerSpec spec(ImageInspect.LegacyConfig c, HostConfig h) {
    ContainerSpec.Host host = ContainerSpec.Host.DEFAULT;
    if (h != null) {
      List<ContainerSpec.MountSpec> mounts = new ArrayList<>();
      if (h.mounts() != null) {
        for (HostConfig.Mount m : h.mounts()) {
          mounts.add(new ContainerSpec.MountSpec(m.type(), m.source(), m.target(), m.readOnly(), List.of()));
        }
      }
      var rp = h.restartPolicy() == null ? RestartPolicy.NO
          : new RestartPolicy(h.restartPolicy().name(), h.restartPolicy().maximumRetryCount());
      var log = h.logConfig() == null ? null : new ContainerSpec.LogConfig(h.logConfig().type(), h.logConfig().config());
      host = new ContainerSpec.Host(h.binds(), mounts, h.tmpfs(), h.readonlyRootfs(), h.networkMode(), h.memory(),
          h.memorySwap(), h.nanoCpus(), h.cpuShares(), h.pidsLimit(), h.capAdd(), h.capDrop(), h.privileged(),
          h.securityOpt(), rp, h.autoRemove(), h.runtime(), log, h.init());
    }
    return new ContainerSpec(c.image(), c.entrypoint(), c.cmd(), c.env(), c.workingDir(), c.user(), c.labels(),
        c.hostname(), c.domainname(), c.tty(), c.openStdin(), c.stdinOnce(), c.attachStdin(), c.attachStdout(),
        c.attachStderr(), c.stopSignal(), c.stopTimeout(), host);
  }

  public static ContainerInspect inspect(Container c, String logPath, String driver, List<String> execIds, Long sizeRw) {
    ContainerSpec s = c.spec();
    List<String> argv = s.argv();
    String path = argv.isEmpty() ? "" : argv.getFirst();
    List<String> args = argv.isEmpty() ? List.of() : List.copyOf(argv.subList(1, argv.size()));
    var st = c.state();
    var state = new ContainerState(st.status().wire(), st.running(), st.status() == ContainerStatus.PAUSED,
        st.status() == ContainerStatus.RESTARTING, st.oomKilled(), st.status() == ContainerStatus.DEAD, st.pid(),
        st.exitCode(), st.error(), time(st.startedAt()), time(st.finishedAt()));
    return new ContainerInspect(c.id(), ImageViews.rfc3339Nano(c.created()), path, args, state, c.imageId().toString(),
        "", "", "", logPath, "/" + c.name(), st.restartCount(), driver, "linux", "", "", "",
        execIds.isEmpty() ? null : execIds, hostConfig(s), new ImageInspect.GraphDriver(null, driver), sizeRw,
        sizeRw == null ? null : 0L, mounts(s), config(c), networkSettings(s));
  }

  private static String time(Instant t) {
    return t == null ? ImageViews.ZERO_TIME : ImageViews.rfc3339Nano(t);
  }

  public static ImageInspect.LegacyConfig config(Container c) {
    ContainerSpec s = c.spec();
    String hostname = s.hostname().isEmpty() ? c.id().substring(0, 12) : s.hostname();
    Map<String, Object> volumes = null;
    return new ImageInspect.LegacyConfig(hostname, s.domainname(), s.user(), s.attachStdin(), s.attachStdout(),
        s.attachStderr(), null, s.tty(), s.openStdin(), s.stdinOnce(), s.env(), s.cmd(), null, false, s.image(),
        volumes, s.workingDir(), s.entrypoint(), false, null, null, s.labels(), s.stopSignal(), s.stopTimeout(), null);
  }

  public static HostConfig hostConfig(ContainerSpec s) {
    ContainerSpec.Host h = s.host();
    List<HostConfig.Mount> mounts = null;
    var log = new HostConfig.LogConfig(h.logConfig().type(), h.logConfig().config());
    var rp = new HostConfig.RestartPolicy(h.restartPolicy().name(), h.restartPolicy().maxRetries());
    return new HostConfig(h.binds().isEmpty() ? null : h.binds(), "", log, h.networkMode(), Map.of(), rp, h.autoRemove(),
        "", null, List.of(0, 0), null, h.capAdd().isEmpty() ? null : h.capAdd(), h.capDrop().isEmpty() ? null : h.capDrop(),
        "private", List.of(), List.of(), List.of(), null, null, "private", "", null, 0, "", h.privileged(), false,
        h.readOnly(), h.securityOpt().isEmpty() ? null : h.securityOpt(), null, h.tmpfs().isEmpty() ? null : h.tmpfs(), "",
        "", 67108864, null, h.runtime().isEmpty() ? "runc" : h.runtime(), "", h.cpuShares(), h.memory(), h.nanoCpus(),
        "", 0, null, null, null, null, null, 0, 0, 0, 0, "", "", null, null, null, 0, h.memorySwap(), null, null,
        h.pidsLimit(), null, 0, 0, 0, 0, mounts, h.privileged() ? null : MASKED, h.privileged() ? null : READONLY, h.init());
  }

  public static List<MountPoint> mounts(ContainerSpec s) {
    List<MountPoint> out = new ArrayList<>();
    for (ContainerSpec.MountSpec m : s.host().mounts()) {
      switch (m.type()) {
        case "volume" -> out.add(new MountPoint("volume", m.source(), "", m.destination(), "local", m.readOnly() ? "ro" : "z",
            !m.readOnly(), ""));
        case "bind" -> out.add(new MountPoint("bind", null, m.source(), m.destination(), null, m.readOnly() ? "ro" : "",
            !m.readOnly(), "rprivate"));
        default -> out.add(new MountPoint(m.type(), null, "", m.destination(), null, "", !m.readOnly(), ""));
      }
    }
    return out;
  }

  /** Fills the volume mountpoints that inspect shows as Source. */
  public static List<MountPoint> withVolumeSources(List<MountPoint> mounts, java.util.function.Function<String, String> mountpoint) {
    return mounts.stream().map(m -> m.type().equals("volume")
        ? new MountPoint(m.type(), m.name(), mountpoint.apply(m.name()), m.destination(), m.driver(), m.mode(), m.rw(), m.propagation())
        : m).toList();
  }

  private static ContainerInspect.NetworkSettings networkSettings(ContainerSpec s) {
    return new ContainerInspect.NetworkSettings("", "", "", Map.of(), false, "", 0, null, null, "", "", "", 0, "", 0, "",
        "", networks(s));
  }

  static Map<String, ContainerInspect.EndpointSettings> networks(ContainerSpec s) {
    String mode = s.host().networkMode().equals("default") ? "none" : s.host().networkMode();
    var m = new LinkedHashMap<String, ContainerInspect.EndpointSettings>();
    m.put(mode, new ContainerInspect.EndpointSettings(null, null, null, "", "", "", "", 0, "", "", 0, "", null));
    return m;
  }

  public static ContainerSummary summary(Container c, String imageName, Instant now, Long sizeRw,
      java.util.function.Function<String, String> volumeMountpoint) {
    ContainerSpec s = c.spec();
    String mode = s.host().networkMode();
    return new ContainerSummary(c.id(), List.of("/" + c.name()), imageName, c.imageId().toString(), command(s),
        c.created().getEpochSecond(), List.of(), sizeRw, sizeRw == null ? null : 0L, s.labels(), c.state().status().wire(),
        status(c, now), new ContainerSummary.HostSummary(mode),
        new ContainerSummary.NetworkSummary(networks(s)), withVolumeSources(mounts(s), volumeMountpoint));
  }

  /** The command as {@code ps} shows it: the argv joined by spaces. */
  static String command(ContainerSpec s) {
    return String.join(" ", s.argv());
  }

  /** Docker's human status: {@code Up 3 seconds}, {@code Exited (0) 2 minutes ago}, {@code Created}. */
  public static String status(Container c, Instant now) {
    var st = c.state();
    return switch (st.status()) {
      case CREATED -> "Created";
      case RUNNING -> "Up " + humanDuration(Duration.between(st.startedAt(), now));
      case PAUSED -> "Up " + humanDuration(Duration.between(st.startedAt(), now)) + " (Paused)";
      case RESTARTING -> "Restarting (" + st.exitCode() + ") " + humanDuration(Duration.between(
          st.finishedAt() == null ? now : st.finishedAt(), now)) + " ago";
      case REMOVING -> "Removal In Progress";
      case DEAD -> "Dead";
      case EXITED -> st.finishedAt() == null ? "Exited (" + st.exitCode() + ")"
          : "Exited (" + st.exitCode() + ") " + humanDuration(Duration.between(st.finishedAt(), now)) + " ago";
    };
  }

  /** go-units {@code HumanDuration}: "Less than a second", "About a minute", "3 weeks"; the CLI uses it too. */
  public static String humanDuration(Duration d) {
    long seconds = Math.max(0, d.toSeconds());
    if (seconds < 1) {
      return "Less than a second";
    } else if (seconds == 1) {
      return "1 second";
    } else if (seconds < 60) {
      return seconds + " seconds";
    }
    long minutes = d.toMinutes();
    if (minutes == 1) {
      return "About a minute";
    } else if (minutes < 60) {
      return minutes + " minutes";
    }
    // Hours are rounded to the nearest, as go-units does: 90 minutes is "2 hours"; years are not.
    long hours = Math.round(d.toSeconds() / 3600.0);
    if (hours == 1) {
      return "About an hour";
    } else if (hours < 48) {
      return hours + " hours";
    } else if (hours < 24 * 7 * 2) {
      return hours / 24 + " days";
    } else if (hours < 24 * 30 * 2) {
      return hours / 24 / 7 + " weeks";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 / 30 + " months";
    }
    return d.toHours() / 24 / 365 + " years";
  }

  public static Volume volume(dev.berth.engine.container.Volume v) {
    return new Volume(v.createdAt() == null ? null : v.createdAt().atOffset(java.time.ZoneOffset.UTC)
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), v.driver(), v.labels().isEmpty() ? null : v.labels(),
        v.mountpoint().toString(), v.name(), v.options().isEmpty() ? null : v.options(), "local");
  }

  public static Event event(dev.berth.engine.container.Event e) {
    long nanos = e.time().getEpochSecond() * 1_000_000_000L + e.time().getNano();
    boolean ctr = e.type().equals("container");
    return new Event(ctr ? e.action() : null, ctr ? e.actorId() : null, ctr ? e.attributes().get("image") : null,
        e.type(), e.action(), new Event.Actor(e.actorId(), e.attributes()), "local", e.time().getEpochSecond(), nanos);
  }
}

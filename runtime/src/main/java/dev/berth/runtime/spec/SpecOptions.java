package dev.berth.runtime.spec;

import dev.berth.errors.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The small spec options berth composes container specs from; each changes one concern. */
public final class SpecOptions {
  private SpecOptions() {}

  /** The bundle's rootfs: an absolute path that is not a symlink (runc insists), read-only or not. */
  public static SpecOption root(Path rootfs, boolean readOnly) {
    return s -> s.withRoot(new Spec.Root(rootfs.toAbsolutePath().normalize().toString(), readOnly));
  }

  public static SpecOption args(List<String> args) {
    if (args.isEmpty()) {
      throw new InvalidArgumentException("no command specified");
    }
    return s -> s.withProcess(s.process().withArgs(args));
  }

  public static SpecOption env(List<String> env) {
    return s -> s.withProcess(s.process().withEnv(env));
  }

  public static SpecOption cwd(String dir) {
    if (!dir.startsWith("/")) {
      throw new InvalidArgumentException("the working directory '" + dir + "' is invalid, it needs to be an absolute path");
    }
    return s -> s.withProcess(s.process().withCwd(dir));
  }

  public static SpecOption user(Spec.User user) {
    return s -> s.withProcess(s.process().withUser(user));
  }

  public static SpecOption hostname(String hostname) {
    return s -> s.withHostname(hostname);
  }

  public static SpecOption terminal(boolean tty) {
    return s -> s.withProcess(s.process().withTerminal(tty));
  }

  public static SpecOption noNewPrivileges(boolean on) {
    return s -> s.withProcess(s.process().withNoNewPrivileges(on));
  }

  /** The capability set, and the default seccomp profile for it (Docker widens it with the caps). */
  public static SpecOption capabilities(List<String> caps) {
    return s -> s.withProcess(s.process().withCapabilities(Spec.Capabilities.of(caps)))
        .withLinux(s.linux().withSeccomp(SeccompProfile.resolve(caps)));
  }

  /**
   * {@code --privileged}: all capabilities, no seccomp, no masked or read-only paths, /sys and
   * the cgroup tree writable, every device allowed by the device cgroup.
   */
  public static SpecOption privileged() {
    return s -> {
      var mounts = s.mounts().stream().map(m -> switch (m.destination()) {
        case "/sys", "/sys/fs/cgroup" -> new Spec.Mount(m.destination(), m.type(), m.source(),
            m.options().stream().map(o -> o.equals("ro") ? "rw" : o).toList());
        default -> m;
      }).toList();
      var linux = s.linux().withSeccomp(null).withMaskedPaths(List.of()).withReadonlyPaths(List.of())
          .withResources(new Spec.Resources(List.of(new Spec.DeviceRule(true, null, null, null, "rwm")),
              s.linux().resources().memory(), s.linux().resources().cpu(), s.linux().resources().pids()));
      return s.withMounts(mounts).withLinux(linux)
          .withProcess(s.process().withCapabilities(Spec.Capabilities.of(Capabilities.ALL)));
    };
  }

  /** {@code none}: a net namespace of its own; {@code host}: none at all; a path: join that one. */
  public static SpecOption network(RunConfig.Network network) {
    return s -> {
      var ns = new ArrayList<Spec.Namespace>();
      for (var n : s.linux().namespaces()) {
        if (!n.type().equals("network")) {
          ns.add(n);
        }
      }
      switch (network) {
        case RunConfig.Network.None none -> ns.add(Spec.Namespace.of("network"));
        case RunConfig.Network.Host host -> { }
        case RunConfig.Network.Path p -> ns.add(new Spec.Namespace("network", p.path()));
      }
      return s.withLinux(s.linux().withNamespaces(ns));
    };
  }

  /**
   * Resource limits on the container's cgroup. Docker's defaults: unset swap with a memory limit
   * gives memory+swap = twice the memory; cpus become a CFS quota over a 100 ms period.
   */
  public static SpecOption resources(Limits l) {
    return s -> {
      var r = s.linux().resources();
      if (l.memory() > 0) {
        long swap = switch ((int) Math.signum(l.memorySwap())) {
          case 0 -> l.memory() * 2;
          case -1 -> -1;
          default -> l.memorySwap();
        };
        r = r.withMemory(new Spec.Memory(l.memory(), swap));
      }
      if (l.nanoCpus() > 0 || l.cpuShares() > 0) {
        Long quota = l.nanoCpus() > 0 ? l.nanoCpus() * Limits.CPU_PERIOD / 1_000_000_000L : null;
        r = r.withCpu(new Spec.Cpu(l.cpuShares() > 0 ? l.cpuShares() : null, quota,
            quota != null ? Limits.CPU_PERIOD : null));
      }
      if (l.pidsLimit() > 0) {
        r = r.withPids(new Spec.Pids(l.pidsLimit()));
      }
      return s.withLinux(s.linux().withResources(r));
    };
  }

  public static SpecOption cgroupsPath(String path) {
    return s -> s.withLinux(s.linux().withCgroupsPath(path));
  }

  /**
   * Rlimits: the host's hard limits for open files and processes (so none is ever asked above
   * berthd's own), then the {@code --ulimit}s, which must fit under them.
   */
  public static SpecOption rlimits(HostLimits host, List<Spec.Rlimit> ulimits) {
    var byType = new LinkedHashMap<String, Spec.Rlimit>();
    byType.put("RLIMIT_NOFILE", new Spec.Rlimit("RLIMIT_NOFILE", host.nofileHard(), host.nofileHard()));
    byType.put("RLIMIT_NPROC", new Spec.Rlimit("RLIMIT_NPROC", host.nprocHard(), host.nprocHard()));
    for (var u : ulimits) {
      var type = u.type().startsWith("RLIMIT_") ? u.type() : "RLIMIT_" + u.type().toUpperCase(java.util.Locale.ROOT);
      if (u.soft() > u.hard()) {
        throw new InvalidArgumentException("ulimit " + type + ": soft limit " + u.soft() + " is above the hard limit " + u.hard());
      }
      long cap = host.hardLimit(type);
      if (cap >= 0 && u.hard() > cap) {
        throw new InvalidArgumentException("ulimit " + type + "=" + u.soft() + ":" + u.hard()
            + " is above berthd's own hard limit " + cap);
      }
      byType.put(type, new Spec.Rlimit(type, u.hard(), u.soft()));
    }
    return s -> s.withProcess(s.process().withRlimits(List.copyOf(byType.values())));
  }

  /** Bind mounts and tmpfs mounts after the standard ones; a missing bind source is refused. */
  public static SpecOption mounts(List<MountSpec> mounts) {
    var extra = new ArrayList<Spec.Mount>();
    for (var m : mounts) {
      switch (m) {
        case MountSpec.Bind b -> {
          if (!Files.exists(Path.of(b.source()))) {
            throw new InvalidArgumentException(
                "invalid mount config for type \"bind\": bind source path does not exist: " + b.source());
          }
          extra.add(new Spec.Mount(b.destination(), "bind", b.source(),
              List.of("rbind", b.readOnly() ? "ro" : "rw", "rprivate")));
        }
        case MountSpec.Tmpfs t -> {
          var opts = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
          if (t.options().stream().noneMatch(o -> o.startsWith("size="))) {
            opts.add("size=65536k");
          }
          for (var o : t.options()) {
            if (o.equals("exec")) {
              opts.remove("noexec");
            } else {
              opts.add(o);
            }
          }
          extra.add(new Spec.Mount(t.destination(), "tmpfs", "tmpfs", opts));
        }
      }
    }
    return s -> {
      var all = new ArrayList<Spec.Mount>();
      // A user mount on a standard destination (e.g. --tmpfs /dev/shm) replaces it, as in Docker.
      for (var m : s.mounts()) {
        if (extra.stream().noneMatch(e -> e.destination().equals(m.destination()))) {
          all.add(m);
        }
      }
      all.addAll(extra);
      return s.withMounts(all);
    };
  }

  public static SpecOption annotations(Map<String, String> annotations) {
    return s -> s.withAnnotations(annotations.isEmpty() ? null : annotations);
  }
}

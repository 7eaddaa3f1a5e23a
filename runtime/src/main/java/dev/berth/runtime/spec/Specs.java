package dev.berth.runtime.spec;

import java.util.List;

/**
 * The default spec Docker starts from (moby {@code oci.DefaultLinuxSpec}), and composition of spec
 * options onto it.
 *
 * <pre>{@code
 * Spec spec = Specs.compose(Specs.defaultSpec(),
 *     SpecOptions.root(rootfs, false),
 *     SpecOptions.args(List.of("echo", "hello")),
 *     SpecOptions.cgroupsPath("berth/" + id));
 * }</pre>
 */
public final class Specs {
  private Specs() {}

  public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  public static final List<String> MASKED_PATHS = List.of(
      "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
      "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/devices/virtual/powercap",
      "/sys/firmware");

  public static final List<String> READONLY_PATHS = List.of(
      "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  /** Namespaces of a default container: all but user (and time, which runc 1.1 lacks). */
  public static final List<Spec.Namespace> NAMESPACES = List.of(
      Spec.Namespace.of("pid"), Spec.Namespace.of("mount"), Spec.Namespace.of("uts"), Spec.Namespace.of("ipc"),
      Spec.Namespace.of("network"), Spec.Namespace.of("cgroup"));

  public static final List<Spec.Mount> MOUNTS = List.of(
      new Spec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
      new Spec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
      new Spec.Mount("/dev/pts", "devpts", "devpts",
          List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
      new Spec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
      new Spec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev")),
      new Spec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
      new Spec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));

  /** Docker's device cgroup rules: deny all, then the standard character devices. */
  public static final List<Spec.DeviceRule> DEVICE_RULES = List.of(
      new Spec.DeviceRule(false, null, null, null, "rwm"),
      new Spec.DeviceRule(true, "c", 1L, 5L, "rwm"),
      new Spec.DeviceRule(true, "c", 1L, 3L, "rwm"),
      new Spec.DeviceRule(true, "c", 1L, 9L, "rwm"),
      new Spec.DeviceRule(true, "c", 1L, 8L, "rwm"),
      new Spec.DeviceRule(true, "c", 5L, 0L, "rwm"),
      new Spec.DeviceRule(true, "c", 5L, 1L, "rwm"),
      new Spec.DeviceRule(false, "c", 10L, 229L, "rwm"));

  public static Spec defaultSpec() {
    var process = new Spec.Process(false, new Spec.User(0, 0, null), List.of("sh"), List.of("PATH=" + DEFAULT_PATH),
        "/", Spec.Capabilities.of(Capabilities.DEFAULT), List.of(), false, null);
    var linux = new Spec.Linux(NAMESPACES, new Spec.Resources(DEVICE_RULES, null, null, null), null,
        SeccompProfile.resolve(Capabilities.DEFAULT), MASKED_PATHS, READONLY_PATHS, null);
    return new Spec(Spec.OCI_VERSION, process, new Spec.Root("rootfs", false), null, MOUNTS, null, linux);
  }

  /** Applies {@code options} in order to {@code base}. */
  public static Spec compose(Spec base, SpecOption... options) {
    return compose(base, List.of(options));
  }

  public static Spec compose(Spec base, List<SpecOption> options) {
    var s = base;
    for (var o : options) {
      s = o.apply(s);
    }
    return s;
  }
}

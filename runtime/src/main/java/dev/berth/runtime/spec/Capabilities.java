package dev.berth.runtime.spec;

import dev.berth.errors.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** Capability names and Docker's rules for the default set, {@code --cap-add} and {@code --cap-drop}. */
public final class Capabilities {
  private Capabilities() {}

  /** Docker's default set (moby daemon/pkg/oci/caps/defaults.go). */
  public static final List<String> DEFAULT = List.of(
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
      "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
      "CAP_AUDIT_WRITE");

  /** Every capability the kernel knows, in number order (0 to 40). */
  public static final List<String> ALL = List.of(
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
      "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
      "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
      "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
      "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
      "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
      "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

  /** {@code "net_admin"}, {@code "NET_ADMIN"} and {@code "CAP_NET_ADMIN"} all name CAP_NET_ADMIN; "ALL" stays. */
  public static String normalize(String name) {
    var n = name.strip().toUpperCase(Locale.ROOT);
    if (n.equals("ALL")) {
      return n;
    }
    if (!n.startsWith("CAP_")) {
      n = "CAP_" + n;
    }
    if (!ALL.contains(n)) {
      throw new InvalidArgumentException("unknown capability: \"" + name + "\"");
    }
    return n;
  }

  /**
   * The resulting set as Docker computes it (moby caps.TweakCapabilities): {@code --cap-add ALL}
   * gives all but the drops; {@code --cap-drop ALL} gives only the adds; otherwise the default set
   * minus the drops plus the adds. {@code privileged} gives all.
   */
  public static List<String> resolve(Collection<String> add, Collection<String> drop, boolean privileged) {
    var adds = add.stream().map(Capabilities::normalize).toList();
    var drops = drop.stream().map(Capabilities::normalize).toList();
    if (privileged) {
      return ALL;
    }
    var caps = new LinkedHashSet<String>();
    if (adds.contains("ALL")) {
      ALL.stream().filter(c -> !drops.contains(c)).forEach(caps::add);
    } else if (drops.contains("ALL")) {
      caps.addAll(adds);
    } else {
      DEFAULT.stream().filter(c -> !drops.contains(c)).forEach(caps::add);
      caps.addAll(adds);
    }
    return List.copyOf(new ArrayList<>(caps));
  }
}

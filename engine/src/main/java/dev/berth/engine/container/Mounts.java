package dev.berth.engine.container;

import dev.berth.errors.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/** {@code -v}, {@code --mount} and {@code --tmpfs} as one list of {@link ContainerSpec.MountSpec}s. */
final class Mounts {
  private Mounts() {}

  /** The host config's binds, mounts and tmpfs entries, parsed and checked for syntax. */
  static List<ContainerSpec.MountSpec> parse(ContainerSpec.Host h) {
    List<ContainerSpec.MountSpec> out = new ArrayList<>(h.mounts());
    for (String bind : h.binds()) {
      out.add(parseBind(bind));
    }
    for (Map.Entry<String, String> t : h.tmpfs().entrySet()) {
      if (!t.getKey().startsWith("/")) {
        throw new InvalidArgumentException("invalid tmpfs mount: destination " + t.getKey() + " is not an absolute path");
      }
      List<String> opts = t.getValue() == null || t.getValue().isEmpty() ? List.of() : Arrays.asList(t.getValue().split(","));
      out.add(new ContainerSpec.MountSpec("tmpfs", "", t.getKey(), opts.contains("ro"), opts));
    }
    var seen = new HashSet<String>();
    for (var m : out) {
      String dst = Path.of(m.destination()).normalize().toString();
      if (!seen.add(dst)) {
        throw new InvalidArgumentException("Duplicate mount point: " + dst);
      }
    }
    return out;
  }

  /** {@code /host:/ctr[:ro|rw]} or {@code volume:/ctr[:ro|rw]}. */
  static ContainerSpec.MountSpec parseBind(String spec) {
    String[] parts = spec.split(":");
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new InvalidArgumentException("invalid volume specification: '" + spec + "'");
    }
    String src = parts[0];
    String dst = parts[1];
    if (!dst.startsWith("/")) {
      throw new InvalidArgumentException("invalid volume specification: '" + spec + "': invalid mount config for type \"bind\": invalid mount path: '" + dst + "' mount path must be absolute");
    }
    boolean ro = false;
    List<String> opts = new ArrayList<>();
    if (parts.length == 3) {
      for (String o : parts[2].split(",")) {
        switch (o) {
          case "ro" -> ro = true;
          case "rw" -> ro = false;
          case "z", "Z", "private", "rprivate", "shared", "rshared", "slave", "rslave", "nocopy" -> opts.add(o);
          default -> throw new InvalidArgumentException("invalid mode: " + o);
        }
      }
    }
    if (src.startsWith("/")) {
      return new ContainerSpec.MountSpec("bind", src, dst, ro, opts);
    }
    VolumeService.requireValid(src);
    return new ContainerSpec.MountSpec("volume", src, dst, ro, opts);
  }

  /** Checks what exists on the host: bind sources. Volumes that do not exist yet are created at create. */
  static void check(List<ContainerSpec.MountSpec> mounts, VolumeService volumes) {
    for (var m : mounts) {
      if (m.type().equals("bind") && !Files.exists(Path.of(m.source()))) {
        throw new InvalidArgumentException("invalid mount config for type \"bind\": bind source path does not exist: " + m.source());
      }
      if (!List.of("bind", "volume", "tmpfs").contains(m.type())) {
        throw new InvalidArgumentException("mount type " + m.type() + " is not supported");
      }
    }
  }

  /** Volumes replaced by their {@code _data} directories, for the runtime. */
  static List<ContainerSpec.MountSpec> resolve(List<ContainerSpec.MountSpec> mounts, VolumeService volumes) {
    List<ContainerSpec.MountSpec> out = new ArrayList<>();
    for (var m : mounts) {
      if (m.type().equals("volume")) {
        out.add(new ContainerSpec.MountSpec("bind", volumes.inspect(m.source()).mountpoint().toString(), m.destination(),
            m.readOnly(), m.options()));
      } else {
        out.add(m);
      }
    }
    return out;
  }
}

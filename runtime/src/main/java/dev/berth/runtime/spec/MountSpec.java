package dev.berth.runtime.spec;

import dev.berth.errors.InvalidArgumentException;
import java.util.List;

/** A mount the run options ask for: a bind mount ({@code -v host:ctr[:ro]}) or a tmpfs ({@code --tmpfs}). */
public sealed interface MountSpec {
  String destination();

  record Bind(String source, String destination, boolean readOnly) implements MountSpec {
    public Bind {
      if (!source.startsWith("/") || !destination.startsWith("/")) {
        throw new InvalidArgumentException("bind mount " + source + ":" + destination + ": both paths must be absolute");
      }
    }
  }

  /** {@code options} as mount(8) takes them, e.g. {@code size=64m}, {@code mode=1777}. */
  record Tmpfs(String destination, List<String> options) implements MountSpec {
    public Tmpfs {
      if (!destination.startsWith("/")) {
        throw new InvalidArgumentException("tmpfs mount " + destination + ": the path must be absolute");
      }
      options = List.copyOf(options);
    }
  }

  /** Parses Docker's {@code -v host:ctr[:ro|rw]} for a host path (named volumes are the engine's). */
  static Bind parseBind(String v) {
    var parts = v.split(":");
    if (parts.length < 2 || parts.length > 3) {
      throw new InvalidArgumentException("invalid volume specification: \"" + v + "\"");
    }
    boolean ro = false;
    if (parts.length == 3) {
      for (var opt : parts[2].split(",")) {
        switch (opt) {
          case "ro" -> ro = true;
          case "rw", "z", "Z", "rprivate", "private", "rslave", "slave" -> { }
          default -> throw new InvalidArgumentException("invalid mode \"" + opt + "\" in volume specification \"" + v + "\"");
        }
      }
    }
    return new Bind(parts[0], parts[1], ro);
  }

  /** Parses {@code -v host:ctr[:ro]}. */
  static MountSpec parse(String v) {
    return parseBind(v);
  }

  /** Parses Docker's {@code --tmpfs /path[:opts]}. */
  static Tmpfs parseTmpfs(String v) {
    int colon = v.indexOf(':');
    if (colon < 0) {
      return new Tmpfs(v, List.of());
    }
    return new Tmpfs(v.substring(0, colon), List.of(v.substring(colon + 1).split(",")));
  }
}

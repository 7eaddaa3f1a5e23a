package dev.berth.runtime.spec;

import dev.berth.runtime.sys.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;

/** berthd's own hard resource limits: the ceiling for any container's rlimits. */
public record HostLimits(long nofileHard, long nprocHard) {

  /** Read from this process with getrlimit(2); unlimited is reported as {@link Long#MAX_VALUE}. */
  public static HostLimits ofThisProcess() {
    try {
      return new HostLimits(finite(Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE).hard()),
          finite(Syscalls.getrlimit(Syscalls.RLIMIT_NPROC).hard()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading berthd's resource limits", e);
    }
  }

  private static long finite(long v) {
    return v == Syscalls.RLIM_INFINITY ? Long.MAX_VALUE : v;
  }

  /** The hard limit for an {@code RLIMIT_*} name, or -1 when berth does not know it (no ceiling checked). */
  public long hardLimit(String type) {
    return switch (type) {
      case "RLIMIT_NOFILE" -> nofileHard;
      case "RLIMIT_NPROC" -> nprocHard;
      default -> -1;
    };
  }
}

package dev.berth.runtime;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A container as the runtime sees it, recovered from its bundle directory, conmon's exit file and
 * the runtime's {@code state}: nothing of it lives only in berthd's memory.
 *
 * @param pid the container's init pid on the host (0 once stopped or before create)
 * @param exitCode conmon's exit code (128+signal for a signal), or null while it runs or if conmon died without one
 * @param finishedAt when conmon wrote the exit file, or null
 */
public record ContainerStatus(String id, String runtime, Status status, long pid, Integer exitCode,
    boolean oomKilled, Instant finishedAt, Path bundle, Path logPath) {

  public enum Status { CREATED, RUNNING, PAUSED, STOPPED }

  public boolean running() {
    return status == Status.RUNNING || status == Status.PAUSED;
  }
}

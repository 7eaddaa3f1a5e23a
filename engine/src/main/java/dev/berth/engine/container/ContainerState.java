package dev.berth.engine.container;

import java.time.Instant;

/**
 * What a container is doing, as Docker's inspect {@code State}. Values, never mutated: each change
 * makes a new one, which {@link ContainerStore} writes before anyone sees it.
 *
 * @param pid the container's init as the host sees it; 0 when not running
 * @param startedAt null when never started
 * @param finishedAt null when never exited
 * @param stoppedByUser set by stop/kill so that restart policies (and unless-stopped across daemon
 *     restarts) leave it stopped
 * @param conmonPid the supervisor's pid, to find it again after a daemon restart
 */
public record ContainerState(
    ContainerStatus status,
    int pid,
    int exitCode,
    String error,
    boolean oomKilled,
    Instant startedAt,
    Instant finishedAt,
    int restartCount,
    boolean stoppedByUser,
    long conmonPid) {

  public static ContainerState created() {
    return new ContainerState(ContainerStatus.CREATED, 0, 0, "", false, null, null, 0, false, 0);
  }

  public ContainerState {
    error = error == null ? "" : error;
  }

  public ContainerState running(int pid, long conmonPid, Instant at) {
    return new ContainerState(ContainerStatus.RUNNING, pid, 0, "", false, at, null, restartCount, false, conmonPid);
  }

  public ContainerState exited(int code, boolean oom, Instant at) {
    return new ContainerState(ContainerStatus.EXITED, 0, code, error, oom, startedAt, at, restartCount, stoppedByUser, 0);
  }

  public ContainerState failed(int code, String message, Instant at) {
    return new ContainerState(status == ContainerStatus.CREATED ? ContainerStatus.CREATED : ContainerStatus.EXITED, 0,
        code, message, false, startedAt, at, restartCount, stoppedByUser, 0);
  }

  public ContainerState withStatus(ContainerStatus s) {
    return new ContainerState(s, pid, exitCode, error, oomKilled, startedAt, finishedAt, restartCount, stoppedByUser, conmonPid);
  }

  public ContainerState stoppedByUser(boolean b) {
    return new ContainerState(status, pid, exitCode, error, oomKilled, startedAt, finishedAt, restartCount, b, conmonPid);
  }

  public ContainerState restarted() {
    return new ContainerState(ContainerStatus.RESTARTING, 0, exitCode, error, oomKilled, startedAt, finishedAt,
        restartCount + 1, false, 0);
  }

  public boolean running() {
    return status == ContainerStatus.RUNNING || status == ContainerStatus.PAUSED;
  }
}

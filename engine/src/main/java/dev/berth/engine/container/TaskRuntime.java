package dev.berth.engine.container;

import dev.berth.oci.ImageConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the container service needs of an OCI runtime and its supervisor (conmon): start a
 * container's init, signal, pause, find out how it ended, and clean up. The spec is composed from
 * the container's effective {@link ContainerSpec} and its image config.
 */
public interface TaskRuntime {

  /**
   * Everything needed to start a container's init.
   *
   * @param stateDir {@code ROOT/containers/<id>}: bundle, log and exit files go here
   * @param rootfs the mounted root filesystem
   * @param mounts bind mounts with their host sources resolved (volumes to their {@code _data})
   */
  record Launch(Container container, Path stateDir, Path rootfs, ImageConfig image, List<ContainerSpec.MountSpec> mounts) {}

  /** A started init: its host pid and its supervisor's. */
  record Started(int pid, long supervisorPid) {}

  /** How a container's init ended. */
  record Exit(int code, boolean oomKilled, java.time.Instant at) {}

  /**
   * Creates and starts the container under supervision. Fails with a clear error (exit code 127 and
   * Docker's message for a command that is not in the image) and leaves nothing behind.
   */
  Started start(Launch launch);

  void kill(Container c, Path stateDir, int signal, boolean all);

  void pause(Container c, Path stateDir);

  void resume(Container c, Path stateDir);

  /** Deletes the runtime's state and the cgroup of a container that no longer runs. Idempotent. */
  void delete(Container c, Path stateDir);

  /** Blocks until the init exits, and says how. */
  Exit awaitExit(Container c, Path stateDir) throws InterruptedException;

  /** How the init ended, if it has; empty while it runs. */
  Optional<Exit> exited(Container c, Path stateDir);

  /** The processes in the container: {@code ps} columns and rows. */
  List<List<String>> top(Container c, Path stateDir, List<String> psArgs);

  /** Where the container's stdout/stderr log is. */
  Path logPath(Path stateDir);

  /** An exec session: a process started in a running container. */
  record ExecLaunch(Container container, Path stateDir, String execId, List<String> argv, List<String> env,
      String user, String workingDir, boolean tty, boolean privileged) {}

  /** Runs an exec process with these streams; returns its exit code. */
  int exec(ExecLaunch launch, InputStream stdin, OutputStream stdout, OutputStream stderr) throws InterruptedException;

  /**
   * The stdin of a running container created with {@code OpenStdin}; closing it ends the
   * container's input, then waits until the container's output ends (or the closing thread is
   * interrupted) and detaches.
   */
  default OutputStream openStdin(Container c, Path stateDir) {
    throw new dev.berth.errors.FailedPreconditionException("container " + c.shortId() + ": attaching stdin is not supported");
  }

  /**
   * Deletes the previous run's runtime state before the container starts again, keeping its log:
   * the next {@link #start} appends to it, as Docker keeps one log across restarts. Idempotent.
   */
  default void reset(Container c, Path stateDir) {
    delete(c, stateDir);
  }

  /**
   * Rotates the running container's log as its {@code --log-opt max-size/max-file} ask, until the
   * returned handle is closed (when the container exits). Nothing to do without those options.
   */
  default AutoCloseable watchLog(Container c, Path stateDir) {
    return () -> {};
  }

  /** Sets the TTY size of a running container's init; nothing without a TTY. */
  default void resize(Container c, Path stateDir, int height, int width) {}

  /** Sets the TTY size of a running exec session; nothing if it has not started or has no TTY. */
  default void resizeExec(Container c, Path stateDir, String execId, int height, int width) {}

  /** Whether the runtime can run containers on this host; the message says why not. */
  default Optional<String> unavailable() {
    return Optional.empty();
  }
}

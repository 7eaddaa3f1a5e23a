package dev.berth.engine.container;

import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exec sessions ({@code docker exec}): created against a running container, started once, and
 * inspectable afterwards for their exit code. Kept in memory, as Docker keeps them.
 */
public final class ExecService {
  /**
   * One session.
   *
   * @param exitCode null until it ended
   */
  public record Exec(String id, String containerId, List<String> cmd, List<String> env, String user, String workingDir,
      boolean tty, boolean privileged, boolean attachStdin, boolean attachStdout, boolean attachStderr, boolean running,
      Integer exitCode, boolean started) {
    Exec withRun(boolean running, Integer exitCode) {
      return new Exec(id, containerId, cmd, env, user, workingDir, tty, privileged, attachStdin, attachStdout, attachStderr,
          running, exitCode, true);
    }
  }

  private final ContainerService containers;
  private final Map<String, Exec> execs = new ConcurrentHashMap<>();

  public ExecService(ContainerService containers) {
    this.containers = containers;
  }

  public Exec create(String container, List<String> cmd, List<String> env, String user, String workingDir, boolean tty,
      boolean privileged, boolean attachStdin, boolean attachStdout, boolean attachStderr) {
    Container c = containers.get(container);
    if (cmd == null || cmd.isEmpty()) {
      throw new InvalidArgumentException("No exec command specified");
    }
    if (c.state().status() == ContainerStatus.PAUSED) {
      throw new FailedPreconditionException("Container " + c.id() + " is paused, unpause the container before exec");
    }
    if (!c.state().running()) {
      throw new FailedPreconditionException("Container " + c.id() + " is not running");
    }
    var e = new Exec(Names.newId(), c.id(), List.copyOf(cmd), env == null ? List.of() : List.copyOf(env), user,
        workingDir, tty, privileged, attachStdin, attachStdout, attachStderr, false, null, false);
    execs.put(e.id(), e);
    containers.events().publish("container", "exec_create: " + String.join(" ", cmd), c.id(),
        ContainerService.attributes(c));
    return e;
  }

  public Exec get(String id) {
    Exec e = execs.get(id);
    if (e == null) {
      throw new NotFoundException("No such exec instance: " + id);
    }
    return e;
  }

  /** The sessions of a container, as inspect's {@code ExecIDs}. */
  public List<String> idsOf(String containerId) {
    return execs.values().stream().filter(e -> e.containerId().equals(containerId)).map(Exec::id).toList();
  }

  /** Runs the session's process with these streams (null stdin: none) and returns its exit code. */
  public int start(String id, InputStream stdin, OutputStream stdout, OutputStream stderr) throws InterruptedException {
    Exec e;
    synchronized (this) {
      e = get(id);
      if (e.started()) {
        throw new FailedPreconditionException("Error: Exec command " + id + " has already run");
      }
      e = e.withRun(true, null);
      execs.put(id, e);
    }
    Container c = containers.get(e.containerId());
    if (!c.state().running()) {
      execs.put(id, e.withRun(false, 126));
      throw new FailedPreconditionException("Container " + c.id() + " is not running");
    }
    containers.events().publish("container", "exec_start: " + String.join(" ", e.cmd()), c.id(),
        ContainerService.attributes(c));
    int code = 126;
    try {
      var launch = new TaskRuntime.ExecLaunch(c, containers.stateDir(c.id()), id, e.cmd(), e.env(), e.user(),
          e.workingDir(), e.tty(), e.privileged());
      code = containers.runtime().exec(launch, e.attachStdin() ? stdin : null, stdout, stderr);
      return code;
    } finally {
      execs.put(id, e.withRun(false, code));
      var attrs = new java.util.LinkedHashMap<>(ContainerService.attributes(c));
      attrs.put("execID", id);
      attrs.put("exitCode", Integer.toString(code));
      containers.events().publish("container", "exec_die", c.id(), attrs);
    }
  }

  /** Sets the TTY size of a running session; a session not started yet keeps the size it starts with. */
  public void resize(String id, int height, int width) {
    Exec e = get(id);
    if (height < 0 || width < 0) {
      throw new InvalidArgumentException("resizing exec " + id + ": height " + height + " and width " + width
          + " must not be negative");
    }
    Container c = containers.get(e.containerId());
    containers.runtime().resizeExec(c, containers.stateDir(c.id()), id, height, width);
  }

  /** Forgets the sessions of a removed container. */
  public void forget(String containerId) {
    execs.values().removeIf(e -> e.containerId().equals(containerId));
  }
}

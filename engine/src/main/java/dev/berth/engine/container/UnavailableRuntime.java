package dev.berth.engine.container;

import dev.berth.errors.UnavailableException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The runtime when none works on this host: containers can be created, inspected, renamed and
 * removed, but not started. {@link #unavailable()} says why.
 */
public record UnavailableRuntime(String reason) implements TaskRuntime {
  private UnavailableException fail() {
    return new UnavailableException("no OCI runtime: " + reason);
  }

  @Override
  public Optional<String> unavailable() {
    return Optional.of(reason);
  }

  @Override
  public Started start(Launch launch) {
    throw fail();
  }

  @Override
  public void kill(Container c, Path stateDir, int signal, boolean all) {
    throw fail();
  }

  @Override
  public void pause(Container c, Path stateDir) {
    throw fail();
  }

  @Override
  public void resume(Container c, Path stateDir) {
    throw fail();
  }

  @Override
  public void delete(Container c, Path stateDir) {}

  @Override
  public Exit awaitExit(Container c, Path stateDir) {
    throw fail();
  }

  @Override
  public Optional<Exit> exited(Container c, Path stateDir) {
    return Optional.of(new Exit(255, false, java.time.Instant.now()));
  }

  @Override
  public List<List<String>> top(Container c, Path stateDir, List<String> psArgs) {
    throw fail();
  }

  @Override
  public Path logPath(Path stateDir) {
    return stateDir.resolve("ctr.log");
  }

  @Override
  public int exec(ExecLaunch launch, InputStream stdin, OutputStream stdout, OutputStream stderr) {
    throw fail();
  }
}

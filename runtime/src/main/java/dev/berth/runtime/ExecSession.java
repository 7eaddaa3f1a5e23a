package dev.berth.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A process started by {@link ContainerRuntime#exec}: its pid, its log, its attachment (when asked
 * for), and its exit code, which conmon reports on the sync pipe and also writes to
 * {@code DIR/exit}, so it survives berthd.
 */
public final class ExecSession implements AutoCloseable {
  private final String id;
  private final long pid;
  private final Path dir;
  private final Conmon.Started conmon;
  private final Attachment attachment;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  ExecSession(String id, long pid, Path dir, Conmon.Started conmon, Attachment attachment) {
    this.id = id;
    this.pid = pid;
    this.dir = dir;
    this.conmon = conmon;
    this.attachment = attachment;
    Thread.ofVirtual().start(() -> {
      try {
        exit.complete(conmon.next("exec " + id).data());
      } catch (RuntimeException e) {
        // berthd's pipe closed or conmon died: the exit file is the record.
        exit.complete(readExitFile().orElse(-1));
      } finally {
        conmon.close();
      }
    });
  }

  public String id() {
    return id;
  }

  public long pid() {
    return pid;
  }

  /** The session's k8s-file log of stdout and stderr. */
  public Path logPath() {
    return dir.resolve("exec.log");
  }

  public Optional<Attachment> attachment() {
    return Optional.ofNullable(attachment);
  }

  /** Completes with the exit code (128+signal when killed by one). */
  public CompletableFuture<Integer> exitCode() {
    return exit;
  }

  private Optional<Integer> readExitFile() {
    try {
      return Optional.of(Integer.parseInt(Files.readString(dir.resolve("exit")).strip()));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** Detaches (the process runs on); berthd's end of conmon's pipe closes when the process exits. */
  @Override
  public void close() {
    if (attachment != null) {
      attachment.close();
    }
  }
}

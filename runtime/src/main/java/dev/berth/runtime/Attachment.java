package dev.berth.runtime;

import dev.berth.runtime.sys.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.Arrays;

/**
 * A connection to conmon's attach socket (a {@code SOCK_SEQPACKET} unix socket): what the
 * container writes arrives as packets tagged with their stream (2 stdout, 3 stderr; a TTY's
 * output is all stdout), and bytes written to {@link #stdin()} go to the container's stdin when
 * it was created with one. Close it to detach; the container runs on.
 */
public final class Attachment implements AutoCloseable {
  private static final int STDOUT = 2;
  private static final int STDERR = 3;

  private final int fd;
  private final PipedInputStream stdout = new PipedInputStream(1 << 16);
  private final PipedInputStream stderr = new PipedInputStream(1 << 16);
  private final PipedOutputStream stdoutSink;
  private final PipedOutputStream stderrSink;
  private final Thread reader;
  private final boolean keepOutput;
  private volatile boolean closed;

  Attachment(String socketPath) throws IOException {
    this(socketPath, true);
  }

  /** With {@code keepOutput} false the container's output is read and dropped (an attachment for stdin only). */
  Attachment(String socketPath, boolean keepOutput) throws IOException {
    this.keepOutput = keepOutput;
    this.fd = Syscalls.connectSeqpacket(socketPath);
    this.stdoutSink = new PipedOutputStream(stdout);
    this.stderrSink = new PipedOutputStream(stderr);
    // A platform thread: the blocking read(2) is a native call that would pin a virtual thread's carrier.
    this.reader = Thread.ofPlatform().daemon().name("attach-" + fd).start(this::pump);
  }

  private void pump() {
    var buf = new byte[8193];
    try {
      while (!closed) {
        int n = Syscalls.read(fd, buf);
        if (n <= 0) {
          break;
        }
        var sink = switch (buf[0]) {
          case STDOUT -> stdoutSink;
          case STDERR -> stderrSink;
          default -> null;
        };
        if (keepOutput && sink != null && n > 1) {
          sink.write(Arrays.copyOfRange(buf, 1, n));
          sink.flush();
        }
      }
    } catch (IOException e) {
      // The socket closed (container gone or we detached): end both streams.
    } finally {
      try {
        stdoutSink.close();
        stderrSink.close();
      } catch (IOException ignored) {
        // Closing a pipe cannot fail in a way that matters.
      }
    }
  }

  /** The container's stdout (with a TTY: all its output); ends when the container's output does. */
  public InputStream stdout() {
    return stdout;
  }

  public InputStream stderr() {
    return stderr;
  }

  /** The container's stdin; closing it half-closes the socket (the container sees end of input). */
  public OutputStream stdin() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        Syscalls.write(fd, b, off, len);
      }

      @Override
      public void close() throws IOException {
        Syscalls.shutdownWrite(fd);
      }
    };
  }

  /**
   * Waits until conmon closes its side of the connection, which it does when the container's
   * output ends (it exited). Reading on until then keeps conmon's writes to this connection from
   * failing; see {@link ContainerRuntime#attachStdin} for why that matters.
   */
  public void awaitOutputEnd() throws InterruptedException {
    reader.join();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        Syscalls.shutdownBoth(fd);
      } catch (IOException ignored) {
        // Already closed by the peer.
      }
      try {
        reader.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Syscalls.close(fd);
    }
  }
}

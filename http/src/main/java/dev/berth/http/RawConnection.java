package dev.berth.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;

/**
 * A connection taken over from HTTP (Docker's attach and exec {@code Upgrade: tcp}): raw bytes
 * both ways. Input and output may be used from two threads at once. Writes go straight to the
 * socket, unbuffered. {@link #closeOutput()} half-closes, which is how a client says "stdin
 * ended" while still reading output.
 */
public final class RawConnection implements Closeable {
  private final SocketChannel channel;
  private final InputStream input;
  private final OutputStream output;

  RawConnection(SocketChannel channel, InputStream input, OutputStream output) {
    this.channel = channel;
    this.input = input;
    this.output = output;
  }

  /** Includes any bytes the peer sent right after the HTTP header block. */
  public InputStream input() {
    return input;
  }

  public OutputStream output() {
    return output;
  }

  /** Sends end-of-stream to the peer and keeps reading. */
  public void closeOutput() throws IOException {
    output.flush();
    channel.shutdownOutput();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}

package dev.berth.logs;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Docker's multiplexed stream framing, used by logs, attach and exec without a TTY: each frame is
 * an 8-byte header {@code [type, 0, 0, 0, length (uint32, big-endian)]} then {@code length}
 * bytes, type 0 stdin, 1 stdout, 2 stderr, 3 system error. Each write is one frame; writes are
 * thread-safe so that two pumps (stdout and stderr) can share one connection.
 *
 * <pre>{@code
 * var mux = new MultiplexedStreamWriter(response.body());
 * reader.follow(query, r -> { mux.write(r.stream(), r.render(timestamps)); mux.flush(); }, done);
 * }</pre>
 */
public final class MultiplexedStreamWriter implements java.io.Flushable {
  public static final int STDIN = 0;
  public static final int STDOUT = 1;
  public static final int STDERR = 2;
  public static final int SYSTEM_ERROR = 3;

  private final OutputStream out;

  public MultiplexedStreamWriter(OutputStream out) {
    this.out = out;
  }

  public void write(LogStream stream, byte[] bytes) throws IOException {
    write(stream.dockerType(), bytes, 0, bytes.length);
  }

  /** One frame of {@code type} holding {@code b[off, off+len)}; nothing for an empty write. */
  public synchronized void write(int type, byte[] b, int off, int len) throws IOException {
    if (type < 0 || type > 3) {
      throw new IllegalArgumentException("stream type " + type + " is not 0..3");
    }
    if (len == 0) {
      return;
    }
    byte[] header = {(byte) type, 0, 0, 0, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
    out.write(header);
    out.write(b, off, len);
  }

  @Override
  public synchronized void flush() throws IOException {
    out.flush();
  }

  /** An OutputStream whose every write becomes one frame of {@code type} (for copying a pipe). */
  public OutputStream stream(int type) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        MultiplexedStreamWriter.this.write(type, new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        MultiplexedStreamWriter.this.write(type, b, off, len);
      }

      @Override
      public void flush() throws IOException {
        MultiplexedStreamWriter.this.flush();
      }
    };
  }

  /** One decoded frame. */
  public record Frame(int type, byte[] payload) {}

  /** Reads the next frame from a multiplexed stream (for clients and tests); null at a clean end. */
  public static Frame readFrame(InputStream in) throws IOException {
    byte[] header = new byte[8];
    int n = in.readNBytes(header, 0, 8);
    if (n == 0) {
      return null;
    }
    if (n < 8) {
      throw new EOFException("multiplexed stream ended inside a frame header");
    }
    long len = ((header[4] & 0xffL) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
    byte[] payload = new byte[(int) len];
    new DataInputStream(in).readFully(payload);
    return new Frame(header[0], payload);
  }
}

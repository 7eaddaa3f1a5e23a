package dev.berth.api.server;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Docker's stream framings for attach, exec and logs: without a TTY each write is a frame of an
 * 8-byte header (stream type 1 stdout or 2 stderr, three zero bytes, big-endian length) and the
 * bytes; with a TTY the bytes go raw.
 */
final class StdStreams {
  static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
  static final String RAW = "application/vnd.docker.raw-stream";

  private StdStreams() {}

  /** An output stream writing frames of {@code type} to {@code out} (shared, so writes lock it). */
  static OutputStream framed(OutputStream out, int type) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return;
        }
        synchronized (out) {
          out.write(new byte[] {(byte) type, 0, 0, 0, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len});
          out.write(b, off, len);
          out.flush();
        }
      }

      @Override
      public void flush() throws IOException {
        synchronized (out) {
          out.flush();
        }
      }
    };
  }

  /** Raw output, flushed per write, locking the shared stream. */
  static OutputStream raw(OutputStream out) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        synchronized (out) {
          out.write(b, off, len);
          out.flush();
        }
      }
    };
  }
}

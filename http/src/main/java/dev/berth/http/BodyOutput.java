package dev.berth.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Message body framings on the way out. Closing one ends the body, never the connection. */
final class BodyOutput {
  private BodyOutput() {}

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  /**
   * Chunked: small writes are gathered into one chunk, so a handler writing JSON lines costs one
   * chunk per flush rather than one per write.
   */
  static final class Chunked extends OutputStream {
    private final OutputStream out;
    private final byte[] buf = new byte[8192];
    private int count;
    private boolean closed;

    Chunked(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      ensureOpen();
      if (count == buf.length) {
        flushChunk();
      }
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      if (len == 0) {
        return;
      }
      if (count + len <= buf.length) {
        System.arraycopy(b, off, buf, count, len);
        count += len;
        return;
      }
      flushChunk();
      if (len >= buf.length) {
        writeChunk(b, off, len);
      } else {
        System.arraycopy(b, off, buf, 0, len);
        count = len;
      }
    }

    private void flushChunk() throws IOException {
      if (count > 0) {
        writeChunk(buf, 0, count);
        count = 0;
      }
    }

    private void writeChunk(byte[] b, int off, int len) throws IOException {
      out.write(Integer.toHexString(len).getBytes(StandardCharsets.ISO_8859_1));
      out.write(CRLF);
      out.write(b, off, len);
      out.write(CRLF);
    }

    @Override
    public void flush() throws IOException {
      ensureOpen();
      flushChunk();
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        flushChunk();
        closed = true;
        out.write(LAST_CHUNK);
        out.flush();
      }
    }

    private void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("body stream is closed");
      }
    }
  }

  /** Content-Length: writing more is an error, and so is closing with fewer. */
  static final class Fixed extends OutputStream {
    private final OutputStream out;
    private final long length;
    private long written;
    private boolean closed;

    Fixed(OutputStream out, long length) {
      this.out = out;
      this.length = length;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("body stream is closed");
      }
      if (written + len > length) {
        throw new IOException("body exceeds its Content-Length of " + length + " bytes");
      }
      out.write(b, off, len);
      written += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        out.flush();
        if (written != length) {
          throw new IOException(
              "body ended after " + written + " of its Content-Length " + length + " bytes");
        }
      }
    }
  }

  /**
   * Passes bytes through but never closes what it wraps: for HTTP/1.0 peers and raw streams (the
   * end of the body is the end of the connection, closed elsewhere), and for body writers, whose
   * close must not end the framing that the client finishes itself.
   */
  static final class UntilClose extends OutputStream {
    private final OutputStream out;

    UntilClose(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}

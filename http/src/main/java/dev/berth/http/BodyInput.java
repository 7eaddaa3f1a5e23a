package dev.berth.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A message body framed on a connection: by Content-Length, by chunks, or until the peer closes.
 * Closing it never closes the connection; the owner decides what to do with leftovers.
 */
abstract sealed class BodyInput extends InputStream {
  private Runnable onEnd = () -> {};
  private IoAction beforeFirstRead;
  private boolean ended;
  private final byte[] one = new byte[1];

  interface IoAction {
    void run() throws IOException;
  }

  /** Runs once, before the first read: how a server answers {@code Expect: 100-continue} lazily. */
  final BodyInput beforeFirstRead(IoAction action) {
    this.beforeFirstRead = action;
    return this;
  }

  @Override
  public final int read(byte[] b, int off, int len) throws IOException {
    if (beforeFirstRead != null && !ended) {
      IoAction action = beforeFirstRead;
      beforeFirstRead = null;
      action.run();
    }
    return readBody(b, off, len);
  }

  abstract int readBody(byte[] b, int off, int len) throws IOException;

  /** Runs once, when the body's last byte (or terminator) has been read. */
  final BodyInput onEnd(Runnable action) {
    this.onEnd = action;
    if (ended) {
      action.run();
    }
    return this;
  }

  protected final void end() {
    if (!ended) {
      ended = true;
      onEnd.run();
    }
  }

  final boolean ended() {
    return ended;
  }

  /** -1 when unknown. */
  long length() {
    return -1;
  }

  @Override
  public final int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  /** Reads and discards up to {@code max} bytes; true if the body then has ended. */
  final boolean drain(long max) throws IOException {
    byte[] scratch = new byte[8192];
    long seen = 0;
    while (!ended && seen <= max) {
      int n = read(scratch, 0, scratch.length);
      if (n < 0) {
        break;
      }
      seen += n;
    }
    return ended;
  }

  @Override
  public void close() {}

  static BodyInput empty() {
    return new Fixed(null, 0);
  }

  static final class Fixed extends BodyInput {
    private final WireInput in;
    private final long length;
    private long remaining;

    Fixed(WireInput in, long length) {
      this.in = in;
      this.length = length;
      this.remaining = length;
      if (length == 0) {
        end();
      }
    }

    @Override
    long length() {
      return length;
    }

    @Override
    int readBody(byte[] b, int off, int len) throws IOException {
      if (remaining == 0) {
        end();
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException(
            "connection closed after " + (length - remaining) + " of " + length + " body bytes");
      }
      remaining -= n;
      if (remaining == 0) {
        end();
      }
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(remaining, in == null ? 0 : in.available());
    }
  }

  static final class Chunked extends BodyInput {
    private static final int MAX_LINE = 4096;
    private final WireInput in;
    private long remaining;
    private boolean first = true;
    private boolean done;

    Chunked(WireInput in) {
      this.in = in;
    }

    @Override
    int readBody(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      if (remaining == 0) {
        if (!first) {
          String crlf = in.readLine(MAX_LINE, 400);
          if (crlf == null) {
            throw new EOFException("connection closed inside a chunked body");
          }
          if (!crlf.isEmpty()) {
            throw new BadMessageException(400, "chunk data longer than its size");
          }
        }
        first = false;
        remaining = chunkSize(in.readLine(MAX_LINE, 400));
        if (remaining == 0) {
          // Trailers: read and ignore up to the empty line.
          for (int i = 0; ; i++) {
            String trailer = in.readLine(MAX_LINE, 431);
            if (trailer == null) {
              throw new EOFException("connection closed inside chunked trailers");
            }
            if (trailer.isEmpty()) {
              break;
            }
            if (i > 100) {
              throw new BadMessageException(431, "too many chunked trailers");
            }
          }
          done = true;
          end();
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new EOFException("connection closed inside a chunk");
      }
      remaining -= n;
      return n;
    }

    private static long chunkSize(String line) throws IOException {
      if (line == null) {
        throw new EOFException("connection closed before a chunk size");
      }
      int semi = line.indexOf(';');
      String hex = (semi >= 0 ? line.substring(0, semi) : line).strip();
      if (hex.isEmpty() || hex.length() > 15) {
        throw new BadMessageException(400, "invalid chunk size \"" + line + "\"");
      }
      long size = 0;
      for (int i = 0; i < hex.length(); i++) {
        int d = Character.digit(hex.charAt(i), 16);
        if (d < 0) {
          throw new BadMessageException(400, "invalid chunk size \"" + line + "\"");
        }
        size = size * 16 + d;
      }
      return size;
    }

    @Override
    public int available() {
      return (int) Math.min(remaining, in.available());
    }
  }

  static final class UntilClose extends BodyInput {
    private final WireInput in;

    UntilClose(WireInput in) {
      this.in = in;
    }

    @Override
    int readBody(byte[] b, int off, int len) throws IOException {
      if (ended()) {
        return -1;
      }
      int n = in.read(b, off, len);
      if (n < 0) {
        end();
      }
      return n;
    }

    @Override
    public int available() {
      return in.available();
    }
  }
}

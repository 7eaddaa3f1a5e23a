package dev.berth.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Remembers the exceptions its source threw, so a decoder stacked on top can tell a real I/O
 * failure (pass it on) from malformed input (an {@link dev.berth.errors.InvalidArgumentException}).
 */
final class SourceStream extends FilterInputStream {
  private IOException last;

  SourceStream(InputStream in) {
    super(in);
  }

  /** True if {@code t}, or any of its causes, is an exception this stream's source threw. */
  boolean threw(Throwable t) {
    for (Throwable c = t; c != null && last != null; c = c.getCause()) {
      if (c == last) {
        return true;
      }
    }
    return false;
  }

  private IOException seen(IOException e) {
    last = e;
    return e;
  }

  @Override
  public int read() throws IOException {
    try {
      return in.read();
    } catch (IOException e) {
      throw seen(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return in.read(b, off, len);
    } catch (IOException e) {
      throw seen(e);
    }
  }

  @Override
  public long skip(long n) throws IOException {
    try {
      return in.skip(n);
    } catch (IOException e) {
      throw seen(e);
    }
  }

  @Override
  public int available() throws IOException {
    try {
      return in.available();
    } catch (IOException e) {
      throw seen(e);
    }
  }
}

package dev.berth.api.server;

import dev.berth.http.HttpResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A response body that sends the head only at the first byte. Until then the handler may still
 * fail with a proper status (404 for a missing image) instead of breaking off a 200 stream, which
 * is how Docker's {@code WriteFlusher} lets {@code docker save} and {@code docker load} report errors.
 */
final class LazyBody extends OutputStream {
  private final HttpResponse res;
  private OutputStream out;

  LazyBody(HttpResponse res) {
    this.res = res;
  }

  /** Whether the head and some of the body are out. */
  boolean started() {
    return out != null;
  }

  private OutputStream out() throws IOException {
    if (out == null) {
      out = res.stream();
    }
    return out;
  }

  @Override
  public void write(int b) throws IOException {
    out().write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len > 0) {
      out().write(b, off, len);
    }
  }

  @Override
  public void flush() throws IOException {
    if (out != null) {
      out.flush();
    }
  }

  @Override
  public void close() throws IOException {
    out().close();
  }
}

package dev.berth.distribution;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.UnavailableException;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * A blob's bytes from a registry that survive dropped connections: when the body fails or ends
 * before the declared size, the rest is asked for with {@code Range: bytes=N-}. A registry that
 * ignores the Range (answers 200) has the bytes already read skipped.
 */
final class BlobStream extends InputStream {
  private static final int MAX_RESUMES = 5;

  private final Transport transport;
  private final Transport.Endpoint ep;
  private final String repository;
  private final Digest digest;
  private final long size;
  private final String action;
  private InputStream in;
  private long position;
  private int resumes;

  BlobStream(Transport transport, Transport.Endpoint ep, String repository, Digest digest, long size) {
    this.transport = transport;
    this.ep = ep;
    this.repository = repository;
    this.digest = digest;
    this.size = size;
    this.action = "pulling blob " + digest + " from " + ep.host() + "/" + repository;
  }

  /** How many times the download was resumed after a drop. */
  int resumes() {
    return resumes;
  }

  private void open() throws IOException {
    String scope = "repository:" + repository + ":pull";
    long from = position;
    Http.Response res = transport.send(ep, scope, action, () -> {
      var b = Http.Request.get(ep.resolve("/v2/" + repository + "/blobs/" + digest));
      if (from > 0) {
        b.header("Range", "bytes=" + from + "-");
      }
      return b;
    });
    int status = res.statusCode();
    if (status == 206 && from > 0) {
      in = res.body();
    } else if (status == 200) {
      in = res.body();
      if (from > 0 && !skip(in, from)) {
        throw new IOException("short body while skipping to " + from);
      }
    } else {
      throw Transport.failure(action, ep, res);
    }
  }

  private static boolean skip(InputStream in, long n) throws IOException {
    try {
      in.skipNBytes(n);
      return true;
    } catch (java.io.EOFException e) {
      return false;
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (true) {
      try {
        if (in == null) {
          open();
        }
        int n = in.read(b, off, len);
        if (n < 0) {
          if (size >= 0 && position < size) {
            throw new IOException("connection closed after " + position + " of " + size + " bytes");
          }
          return -1;
        }
        position += n;
        if (size >= 0 && position > size) {
          throw new InvalidArgumentException(action + ": registry sent more than the " + size + " bytes the manifest says");
        }
        return n;
      } catch (IOException e) {
        closeQuietly();
        if (++resumes > MAX_RESUMES) {
          throw new UnavailableException(action + ": gave up after " + MAX_RESUMES + " resumed attempts at byte "
              + position + ": " + e.getMessage(), e);
        }
        Transport.sleep(Duration.ofMillis(50L << Math.min(resumes, 5)));
      }
    }
  }

  private void closeQuietly() {
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // the connection is gone anyway
      }
      in = null;
    }
  }

  @Override
  public void close() {
    closeQuietly();
  }
}

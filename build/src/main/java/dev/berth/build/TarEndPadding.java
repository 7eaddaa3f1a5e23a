package dev.berth.build;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A tar stream completed at its end: zeros up to the next 512-byte record, then the two zero
 * records of the end-of-archive marker. The docker CLI sends {@code docker build -f -} contexts
 * whose last entry is neither padded nor followed by the marker (dockerd's reader tolerates it);
 * after a complete tar the extra zeros come after its own marker and are never read as entries.
 */
final class TarEndPadding extends FilterInputStream {
  private static final int RECORD = 512;
  private long count;
  private long padding = -1;

  TarEndPadding(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (padding < 0) {
      int n = in.read(b, off, len);
      if (n >= 0) {
        count += n;
        return n;
      }
      padding = (RECORD - count % RECORD) % RECORD + 2L * RECORD;
    }
    if (padding == 0) {
      return -1;
    }
    int n = (int) Math.min(len, padding);
    java.util.Arrays.fill(b, off, off + n, (byte) 0);
    padding -= n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
    long done = 0;
    while (done < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}

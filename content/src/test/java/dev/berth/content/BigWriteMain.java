package dev.berth.content;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * Child process of the streaming test: writes a generated blob of args[1] MiB under a small heap
 * (the parent sets -Xmx), so buffering the blob in memory would fail. Prints "digest size nanos".
 */
public final class BigWriteMain {
  public static void main(String[] args) throws Exception {
    var store = LocalContentStore.at(Path.of(args[0]));
    long size = Long.parseLong(args[1]) << 20;
    long start = System.nanoTime();
    BlobInfo info = store.write(new Generated(size), null, size);
    long nanos = System.nanoTime() - start;
    System.out.println(info.digest() + " " + info.size() + " " + nanos);
  }

  /**
   * A deterministic stream of {@code size} bytes, produced as it is read by cycling a 64 KiB random
   * block (cheap, so the measured throughput is the store's, not the generator's).
   */
  static final class Generated extends InputStream {
    private final byte[] block = new byte[1 << 16];
    private long remaining;
    private long position;

    Generated(long size) {
      this.remaining = size;
      new java.util.Random(7).nextBytes(block);
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining == 0) {
        return -1;
      }
      int at = (int) (position % block.length);
      int n = (int) Math.min(Math.min(len, remaining), block.length - at);
      System.arraycopy(block, at, b, off, n);
      remaining -= n;
      position += n;
      return n;
    }
  }
}

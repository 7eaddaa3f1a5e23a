package dev.berth.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32;

/** Bytes generated on the fly, so tests can move hundreds of MB without holding them. */
final class Fixtures {
  private Fixtures() {}

  record Digest(long count, long crc) {}

  /** Writes {@code length} deterministic bytes in 64 KiB blocks, flushing every 4 MiB. */
  static Digest writePattern(OutputStream out, long length) throws IOException {
    byte[] block = new byte[64 * 1024];
    var crc = new CRC32();
    long written = 0;
    while (written < length) {
      int n = (int) Math.min(block.length, length - written);
      for (int i = 0; i < n; i++) {
        long pos = written + i;
        block[i] = (byte) (pos * 31 + (pos >>> 11));
      }
      out.write(block, 0, n);
      crc.update(block, 0, n);
      written += n;
      if (written % (4 * 1024 * 1024) == 0) {
        out.flush();
      }
    }
    return new Digest(written, crc.getValue());
  }

  static Digest expected(long length) throws IOException {
    return writePattern(OutputStream.nullOutputStream(), length);
  }

  static Digest count(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    var crc = new CRC32();
    long total = 0;
    for (int n; (n = in.read(buf)) >= 0; ) {
      crc.update(buf, 0, n);
      total += n;
    }
    return new Digest(total, crc.getValue());
  }
}

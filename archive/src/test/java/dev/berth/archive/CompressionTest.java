package dev.berth.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class CompressionTest {
  private static final byte[] DATA = data();

  private static byte[] data() {
    // Half random, half repetitive: big enough to span several decoder buffers.
    byte[] b = new byte[300_000];
    new Random(42).nextBytes(b);
    Arrays.fill(b, 150_000, b.length, (byte) 'x');
    return b;
  }

  static byte[] compress(Compression c, byte[] data) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (OutputStream out = c.compress(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void roundTripsAndDetects(Compression c) throws IOException {
    byte[] compressed = compress(c, DATA);
    assertEquals(c, Compression.detect(Arrays.copyOf(compressed, 4)));
    try (InputStream in = c.decompress(new ByteArrayInputStream(compressed))) {
      assertArrayEquals(DATA, in.readAllBytes());
    }
    // A stream without mark support is buffered by decompressed().
    try (InputStream in = Compression.decompressed(unmarkable(compressed))) {
      assertArrayEquals(DATA, in.readAllBytes());
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void compressionIsDeterministic(Compression c) throws IOException {
    assertArrayEquals(compress(c, DATA), compress(c, DATA));
  }

  @Test
  void detectsByMagicBytes() throws IOException {
    assertEquals(Compression.GZIP, Compression.detect(new byte[] {0x1f, (byte) 0x8b}));
    assertEquals(Compression.ZSTD, Compression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0}));
    assertEquals(Compression.NONE, Compression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f}));
    assertEquals(Compression.NONE, Compression.detect(new byte[0]));
    assertEquals(Compression.NONE, Compression.detect("ustar".getBytes()));
    var in = new java.io.BufferedInputStream(new ByteArrayInputStream(compress(Compression.ZSTD, DATA)));
    assertEquals(Compression.ZSTD, Compression.detect(in));
    assertEquals(0x28, in.read(), "detection must not consume the stream");
  }

  @Test
  void emptyStreamDecompressesToNothing() throws IOException {
    assertEquals(0, Compression.decompressed(InputStream.nullInputStream()).readAllBytes().length);
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void truncatedInputFailsAsInvalidArgument(Compression c) throws IOException {
    byte[] compressed = compress(c, DATA);
    for (int length : new int[] {compressed.length / 2, compressed.length - 1, 10}) {
      byte[] cut = Arrays.copyOf(compressed, length);
      var e =
          assertThrows(
              InvalidArgumentException.class,
              () -> Compression.decompressed(new ByteArrayInputStream(cut)).readAllBytes(),
              c + " cut to " + length);
      assertTrue(e.getMessage().contains(c.id()), e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void corruptInputFailsAsInvalidArgument(Compression c) throws IOException {
    byte[] compressed = compress(c, DATA);
    for (int i = 20; i < 200; i++) {
      compressed[i] ^= (byte) 0x5a;
    }
    assertThrows(
        InvalidArgumentException.class,
        () -> Compression.decompressed(new ByteArrayInputStream(compressed)).readAllBytes());
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void failuresOfTheSourceStayIoExceptions(Compression c) throws IOException {
    byte[] compressed = compress(c, DATA);
    IOException broken = new IOException("connection reset");
    InputStream failing =
        new FilterInputStream(new ByteArrayInputStream(compressed, 0, 1000)) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
              throw broken;
            }
            return n;
          }
        };
    IOException thrown = assertThrows(IOException.class, () -> c.decompress(failing).readAllBytes());
    assertSame(broken, rootOf(thrown, broken));
  }

  private static Throwable rootOf(Throwable t, Throwable wanted) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c == wanted) {
        return c;
      }
    }
    return t;
  }

  static InputStream unmarkable(byte[] b) {
    return new FilterInputStream(new ByteArrayInputStream(b)) {
      @Override
      public boolean markSupported() {
        return false;
      }
    };
  }
}

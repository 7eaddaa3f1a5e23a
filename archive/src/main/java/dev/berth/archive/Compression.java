package dev.berth.archive;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.berth.errors.InvalidArgumentException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The compressions a layer or archive may carry, recognised by their magic bytes.
 *
 * <pre>{@code
 * try (InputStream tar = Compression.decompressed(Files.newInputStream(layer))) { ... }
 * }</pre>
 *
 * <p>Decompressing streams throw {@link InvalidArgumentException} when the compressed data is
 * corrupt or ends early; failures of the underlying stream stay {@link IOException}s.
 */
public enum Compression {
  NONE,
  GZIP,
  ZSTD;

  private static final int BUFFER = 64 * 1024;
  /** Longest magic number we look for (zstd's 4 bytes). */
  static final int MAGIC_LENGTH = 4;

  /** Detects the compression from the first bytes of a stream; fewer than 4 bytes are fine. */
  public static Compression detect(byte[] head) {
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (head.length >= 4
        && (head[0] & 0xff) == 0x28
        && (head[1] & 0xff) == 0xb5
        && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return ZSTD;
    }
    return NONE;
  }

  /** Detects the compression of a stream that supports mark/reset, without consuming it. */
  public static Compression detect(InputStream markable) throws IOException {
    if (!markable.markSupported()) {
      throw new IllegalArgumentException("detecting compression needs a stream with mark/reset");
    }
    markable.mark(MAGIC_LENGTH);
    try {
      return detect(markable.readNBytes(MAGIC_LENGTH));
    } finally {
      markable.reset();
    }
  }

  /** Detects the compression of {@code in} and returns a stream of its decompressed bytes. */
  public static InputStream decompressed(InputStream in) throws IOException {
    InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, BUFFER);
    return detect(buffered).decompress(buffered);
  }

  /** Wraps {@code in}, which must be compressed with this compression; closing closes {@code in}. */
  public InputStream decompress(InputStream in) {
    return switch (this) {
      case NONE -> in;
      case GZIP, ZSTD -> new Decoding(this, in);
    };
  }

  /** Wraps {@code out} so that bytes written are compressed; closing finishes and closes {@code out}. */
  public OutputStream compress(OutputStream out) throws IOException {
    return switch (this) {
      case NONE -> out;
      // GZIPOutputStream writes a zero mtime, so equal input gives equal bytes.
      case GZIP -> new GZIPOutputStream(out, BUFFER);
      // The frame checksum (the zstd CLI's default) lets readers notice corrupt data.
      case ZSTD -> new ZstdOutputStream(out, 3).setChecksum(true);
    };
  }

  /** The lower-case name used in media types and messages ("gzip", "zstd"). */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Opens the decoder lazily (GZIPInputStream reads its header in the constructor) and turns
   * decoder errors into InvalidArgumentException while leaving the source's own errors alone.
   */
  private static final class Decoding extends InputStream {
    private final Compression compression;
    private final SourceStream source;
    private InputStream decoder;

    Decoding(Compression compression, InputStream in) {
      this.compression = compression;
      this.source = new SourceStream(in);
    }

    private InputStream decoder() throws IOException {
      if (decoder == null) {
        decoder =
            switch (compression) {
              case GZIP -> new GZIPInputStream(source, BUFFER);
              case ZSTD -> new ZstdInputStream(source);
              case NONE -> source;
            };
      }
      return decoder;
    }

    private IOException translate(IOException e) {
      if (source.threw(e)) {
        return e;
      }
      throw new InvalidArgumentException(
          "decompressing " + compression.id() + " stream: corrupt or truncated data ("
              + e.getMessage() + ")",
          e);
    }

    @Override
    public int read() throws IOException {
      try {
        return decoder().read();
      } catch (IOException e) {
        throw translate(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return decoder().read(b, off, len);
      } catch (IOException e) {
        throw translate(e);
      }
    }

    @Override
    public void close() throws IOException {
      if (decoder != null) {
        decoder.close();
      } else {
        source.close();
      }
    }
  }
}

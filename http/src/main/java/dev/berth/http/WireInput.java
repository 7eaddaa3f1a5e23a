package dev.berth.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The buffered input side of one connection: header lines are read from the buffer, and body
 * streams read through it, so bytes buffered past a header block (pipelined requests, the first
 * bytes of a hijacked stream) are never lost.
 */
final class WireInput extends InputStream {
  private final InputStream in;
  private final byte[] buf;
  private int pos;
  private int lim;

  WireInput(InputStream in, int size) {
    this.in = in;
    this.buf = new byte[size];
  }

  private boolean fill() throws IOException {
    if (pos < lim) {
      return true;
    }
    int n;
    do {
      n = in.read(buf, 0, buf.length);
    } while (n == 0);
    if (n < 0) {
      return false;
    }
    pos = 0;
    lim = n;
    return true;
  }

  @Override
  public int read() throws IOException {
    return fill() ? buf[pos++] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (pos == lim && len >= buf.length) {
      // Large reads bypass the buffer: bodies of GBs should not be copied twice.
      return in.read(b, off, len);
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, lim - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  /** Only what is buffered: asking the channel would block. */
  @Override
  public int available() {
    return lim - pos;
  }

  /**
   * Reads one line ending in LF, dropping a CR before it; header lines are ISO-8859-1 on the wire.
   *
   * @return the line, or null when the stream ends before its first byte
   * @throws BadMessageException with {@code tooLongStatus} when the line exceeds {@code max} bytes
   */
  String readLine(int max, int tooLongStatus) throws IOException {
    StringBuilder sb = null;
    int total = 0;
    while (true) {
      if (!fill()) {
        if (sb == null) {
          return null;
        }
        throw new EOFException("connection closed in the middle of a header line");
      }
      int start = pos;
      int i = start;
      while (i < lim && buf[i] != '\n') {
        i++;
      }
      total += i - start;
      if (total > max + 1) { // + 1: the CR
        throw new BadMessageException(tooLongStatus, "header line longer than " + max + " bytes");
      }
      String piece = new String(buf, start, i - start, StandardCharsets.ISO_8859_1);
      if (i < lim) {
        pos = i + 1;
        String line = sb == null ? piece : sb.append(piece).toString();
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      }
      pos = lim;
      sb = sb == null ? new StringBuilder(piece) : sb.append(piece);
    }
  }
}

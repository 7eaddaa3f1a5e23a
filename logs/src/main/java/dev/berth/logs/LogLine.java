package dev.berth.logs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * One line of the k8s-file (CRI) log format conmon writes:
 * {@code 2026-11-27T10:24:14.042491774+00:00 stdout F text}. {@code F} marks the end of a line,
 * {@code P} a partial piece (conmon splits long lines, and writes what it has when no newline
 * came yet); the pieces of one line are rejoined by {@link LogReader}.
 *
 * @param content the bytes after the tag, without the line's terminating newline
 */
public record LogLine(Instant time, LogStream stream, boolean partial, byte[] content) {
  private static final DateTimeFormatter CONMON_TIME = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
      .appendOffset("+HH:MM", "+00:00")
      .toFormatter();

  /**
   * The line as conmon writes it, newline included: for tests, and for berth's own messages
   * into a container's log.
   */
  public byte[] format() {
    var out = new ByteArrayOutputStream(content.length + 48);
    out.writeBytes(CONMON_TIME.format(time.atOffset(ZoneOffset.UTC)).getBytes(StandardCharsets.US_ASCII));
    out.writeBytes((" " + stream.id() + (partial ? " P " : " F ")).getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(content);
    out.write('\n');
    return out.toByteArray();
  }

  /**
   * Parses one line (without its newline) from {@code buf[from, to)}; null when it is not a log
   * line (a torn or foreign line is skipped rather than failing a whole read).
   */
  static LogLine parse(byte[] buf, int from, int to) {
    int sp1 = indexOf(buf, from, to, (byte) ' ');
    if (sp1 < 0) {
      return null;
    }
    int sp2 = indexOf(buf, sp1 + 1, to, (byte) ' ');
    if (sp2 < 0) {
      return null;
    }
    Instant time = parseTime(buf, from, sp1);
    LogStream stream = switch (new String(buf, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.US_ASCII)) {
      case "stdout" -> LogStream.STDOUT;
      case "stderr" -> LogStream.STDERR;
      default -> null;
    };
    if (time == null || stream == null || sp2 + 1 >= to) {
      return null;
    }
    // The tag may carry more fields after ':' (CRI); its first letter says full or partial.
    int tagEnd = indexOf(buf, sp2 + 1, to, (byte) ' ');
    byte tag = buf[sp2 + 1];
    if (tag != 'F' && tag != 'P') {
      return null;
    }
    int start = tagEnd < 0 ? to : tagEnd + 1;
    byte[] content = java.util.Arrays.copyOfRange(buf, start, to);
    return new LogLine(time, stream, tag == 'P', content);
  }

  /** The time at the start of a line, or null. Fast path for conmon's fixed layout. */
  static Instant parseTime(byte[] b, int from, int to) {
    int n = to - from;
    try {
      if (n >= 26 && b[from + 4] == '-' && b[from + 7] == '-' && b[from + 10] == 'T' && b[from + 13] == ':'
          && b[from + 16] == ':' && b[from + 19] == '.') {
        int year = digits(b, from, 4);
        int month = digits(b, from + 5, 2);
        int day = digits(b, from + 8, 2);
        int hour = digits(b, from + 11, 2);
        int minute = digits(b, from + 14, 2);
        int second = digits(b, from + 17, 2);
        int i = from + 20;
        long nanos = 0;
        int fractionDigits = 0;
        while (i < to && b[i] >= '0' && b[i] <= '9') {
          if (fractionDigits < 9) {
            nanos = nanos * 10 + (b[i] - '0');
            fractionDigits++;
          }
          i++;
        }
        for (int k = fractionDigits; k < 9; k++) {
          nanos *= 10;
        }
        int offsetSeconds;
        if (i < to && b[i] == 'Z') {
          offsetSeconds = 0;
          i++;
        } else if (i + 6 == to && (b[i] == '+' || b[i] == '-') && b[i + 3] == ':') {
          int off = digits(b, i + 1, 2) * 3600 + digits(b, i + 4, 2) * 60;
          offsetSeconds = b[i] == '-' ? -off : off;
          i += 6;
        } else {
          return null;
        }
        if (i != to) {
          return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        long seconds = epochDay * 86400 + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(seconds, nanos);
      }
      return OffsetDateTime.parse(new String(b, from, n, StandardCharsets.US_ASCII)).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static int digits(byte[] b, int at, int count) {
    int v = 0;
    for (int i = at; i < at + count; i++) {
      if (b[i] < '0' || b[i] > '9') {
        throw new NumberFormatException();
      }
      v = v * 10 + (b[i] - '0');
    }
    return v;
  }

  static int indexOf(byte[] b, int from, int to, byte c) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogLine l && l.time.equals(time) && l.stream == stream && l.partial == partial
        && java.util.Arrays.equals(l.content, content);
  }

  @Override
  public int hashCode() {
    return time.hashCode() * 31 + java.util.Arrays.hashCode(content);
  }

  @Override
  public String toString() {
    return new String(format(), StandardCharsets.UTF_8).stripTrailing();
  }
}

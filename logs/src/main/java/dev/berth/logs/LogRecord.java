package dev.berth.logs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * One line a container wrote, its partial pieces rejoined: when conmon first read it, from which
 * stream, and its bytes. {@code content} ends with {@code '\n'} when the line was complete, and
 * not when the container wrote no newline (yet).
 */
public record LogRecord(Instant time, LogStream stream, byte[] content) {
  /** Docker's RFC3339NanoFixed: UTC, always nine fraction digits, "Z". */
  private static final DateTimeFormatter DOCKER_TIME = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
      .appendFraction(ChronoField.NANO_OF_SECOND, 9, 9, true)
      .appendLiteral('Z')
      .toFormatter()
      .withZone(ZoneOffset.UTC);

  public boolean complete() {
    return content.length > 0 && content[content.length - 1] == '\n';
  }

  /** The content as text (UTF-8, invalid bytes replaced): for tests and messages. */
  public String text() {
    return new String(content, StandardCharsets.UTF_8);
  }

  /**
   * The bytes {@code docker logs} prints for this record: the content, preceded by the time and a
   * space with {@code timestamps} ({@code --timestamps}).
   */
  public byte[] render(boolean timestamps) {
    if (!timestamps) {
      return content;
    }
    byte[] stamp = (DOCKER_TIME.format(time) + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[stamp.length + content.length];
    System.arraycopy(stamp, 0, out, 0, stamp.length);
    System.arraycopy(content, 0, out, stamp.length, content.length);
    return out;
  }

  @Override
  public String toString() {
    return time + " " + stream.id() + " " + text().replace("\n", "\\n");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogRecord r && r.time.equals(time) && r.stream == stream
        && java.util.Arrays.equals(r.content, content);
  }

  @Override
  public int hashCode() {
    return time.hashCode() * 31 + java.util.Arrays.hashCode(content);
  }
}

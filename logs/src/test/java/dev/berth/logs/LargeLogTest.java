package dev.berth.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 MB log: tail, since and until must read a tiny part of it. Asserts bytes read, never
 * times; prints the times for the report.
 */
class LargeLogTest {
  @TempDir Path dir;

  @Test
  void tailSinceAndUntilOfALargeLogReadLittleOfIt() throws IOException {
    Path log = dir.resolve("ctr.log");
    Instant t0 = Instant.parse("2026-11-27T00:00:00Z");
    long target = 200L * 1024 * 1024;
    long lines = 0;
    long started = System.nanoTime();
    String pad = "x".repeat(60);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(log), 1 << 20)) {
      long written = 0;
      while (written < target) {
        // A partial piece every 1000 lines, so rejoining is exercised at the edges too.
        LogStream s = lines % 3 == 0 ? LogStream.STDERR : LogStream.STDOUT;
        byte[] line = new LogLine(t0.plusNanos(lines * 10_000), s, false,
            ("line " + lines + " " + pad).getBytes(StandardCharsets.US_ASCII)).format();
        out.write(line);
        written += line.length;
        lines++;
      }
    }
    long size = Files.size(log);
    System.out.printf("large log: wrote %d lines, %.1f MB in %d ms%n", lines, size / 1e6, (System.nanoTime() - started) / 1_000_000);

    LogReader reader = LogReader.of(log);
    started = System.nanoTime();
    List<LogRecord> tail = reader.read(LogQuery.all().tail(100));
    long tailMicros = (System.nanoTime() - started) / 1000;
    assertEquals(100, tail.size());
    assertTrue(tail.getLast().text().startsWith("line " + (lines - 1) + " "), tail.getLast().text());
    System.out.printf("large log: tail 100 in %d µs, read %d bytes of %d%n", tailMicros, reader.bytesRead, size);
    assertTrue(reader.bytesRead < 1024 * 1024, "tail read " + reader.bytesRead + " bytes");

    LogReader sinceReader = LogReader.of(log);
    Instant since = t0.plusNanos((lines - 500) * 10_000);
    started = System.nanoTime();
    List<LogRecord> recent = sinceReader.read(LogQuery.all().since(since));
    long sinceMicros = (System.nanoTime() - started) / 1000;
    assertEquals(500, recent.size());
    System.out.printf("large log: since (last 500 lines) in %d µs, read %d bytes%n", sinceMicros, sinceReader.bytesRead);
    assertTrue(sinceReader.bytesRead < 4 * 1024 * 1024, "since read " + sinceReader.bytesRead + " bytes");

    LogReader untilReader = LogReader.of(log);
    started = System.nanoTime();
    List<LogRecord> early = untilReader.read(LogQuery.all().until(t0.plusNanos(99 * 10_000)).tail(10));
    long untilMicros = (System.nanoTime() - started) / 1000;
    assertEquals(10, early.size());
    assertTrue(early.getLast().text().startsWith("line 99 "), early.getLast().text());
    System.out.printf("large log: until (first 100 lines) tail 10 in %d µs, read %d bytes%n", untilMicros, untilReader.bytesRead);
    assertTrue(untilReader.bytesRead < 4 * 1024 * 1024, "until read " + untilReader.bytesRead + " bytes");

    LogReader stderrReader = LogReader.of(log);
    started = System.nanoTime();
    List<LogRecord> errs = stderrReader.read(LogQuery.all().streams(java.util.EnumSet.of(LogStream.STDERR)).tail(50));
    System.out.printf("large log: stderr tail 50 in %d µs, read %d bytes%n", (System.nanoTime() - started) / 1000, stderrReader.bytesRead);
    assertEquals(50, errs.size());
    assertTrue(errs.stream().allMatch(r -> r.stream() == LogStream.STDERR));
  }
}

package dev.berth.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {
  @TempDir Path dir;

  static final Instant T0 = Instant.parse("2026-11-27T10:24:14.042491774Z");

  static List<String> texts(List<LogRecord> records) {
    return records.stream().map(r -> r.stream().id() + ":" + r.text()).toList();
  }

  @Test
  void readsTheFormatConmonWrites() throws IOException {
    Path log = dir.resolve("ctr.log");
    Files.writeString(log, """
        2026-11-27T10:24:14.042491774+00:00 stdout F out
        2026-11-27T10:24:14.042491774+00:00 stdout P partial
        2026-11-27T10:24:14.042554832+00:00 stderr F err
        2026-11-27T11:24:14.5+01:00 stdout F offset and short fraction
        2026-11-27T10:24:15.000000001+00:00 stderr F\s
        """);
    List<LogRecord> all = LogReader.of(log).read(LogQuery.all());
    assertEquals(List.of("stderr:err\n", "stdout:partialoffset and short fraction\n", "stderr:\n", "stdout:out\n")
        .stream().sorted().toList(), texts(all).stream().sorted().toList());
    assertEquals("stdout:out\n", texts(all).get(0));
    assertEquals(T0, all.get(0).time());
    LogRecord joined = all.stream().filter(r -> r.text().startsWith("partial")).findFirst().orElseThrow();
    assertEquals(T0, joined.time(), "a rejoined line has the time of its first piece");
    assertEquals("2026-11-27T10:24:14.042491774Z out\n", new String(all.get(0).render(true), StandardCharsets.UTF_8));
    assertEquals("out\n", new String(all.get(0).render(false), StandardCharsets.UTF_8));
  }

  @Test
  void partialPiecesAreRejoinedPerStreamAndAnUnfinishedLineComesLast() throws IOException {
    Path log = dir.resolve("ctr.log");
    try (var conmon = new FakeConmon(log)) {
      conmon.write(LogStream.STDOUT, "abc", T0);
      conmon.write(LogStream.STDERR, "err\n", T0.plusNanos(1));
      conmon.write(LogStream.STDOUT, "def", T0.plusNanos(2));
      conmon.write(LogStream.STDOUT, "ghi\njkl\nunfinished", T0.plusNanos(3));
    }
    List<LogRecord> all = LogReader.of(log).read(LogQuery.all());
    assertEquals(List.of("stderr:err\n", "stdout:abcdefghi\n", "stdout:jkl\n", "stdout:unfinished"), texts(all));
    assertEquals(T0, all.get(1).time());
    assertFalse(all.get(3).complete());
    assertEquals(List.of("stderr:err\n"), texts(LogReader.of(log).read(LogQuery.all().streams(EnumSet.of(LogStream.STDERR)))));
  }

  @Test
  void aLineStillBeingWrittenIsNotRead() throws IOException {
    Path log = dir.resolve("ctr.log");
    Files.writeString(log, "2026-11-27T10:24:14.042491774+00:00 stdout F done\n2026-11-27T10:24:14.04249");
    assertEquals(List.of("stdout:done\n"), texts(LogReader.of(log).read(LogQuery.all())));
  }

  /** A log of many records, long lines split into pieces, both streams, stamps slightly out of order. */
  static List<LogRecord> writeMixed(Path log, int records, long seed) throws IOException {
    Random random = new Random(seed);
    try (var conmon = new FakeConmon(log)) {
      for (int i = 0; i < records; i++) {
        LogStream s = random.nextInt(3) == 0 ? LogStream.STDERR : LogStream.STDOUT;
        // Streams are read separately by conmon, so their stamps may be out of order by microseconds.
        Instant t = T0.plusMillis(i).plusNanos(s == LogStream.STDERR ? -3000 : 0);
        String text = "line " + i + " " + "x".repeat(random.nextInt(random.nextInt(10) == 0 ? 20000 : 50));
        if (random.nextInt(5) == 0) {
          int cut = text.length() / 2;
          conmon.write(s, text.substring(0, cut), t);
          if (random.nextBoolean()) {
            LogStream other = s == LogStream.STDOUT ? LogStream.STDERR : LogStream.STDOUT;
            conmon.write(other, "between " + i + "\n", t.plusNanos(10));
          }
          conmon.write(s, text.substring(cut) + "\n", t.plusNanos(20));
        } else {
          conmon.write(s, text + "\n", t);
        }
      }
    }
    return LogReader.of(log).read(LogQuery.all());
  }

  static List<LogRecord> expected(List<LogRecord> all, LogQuery q) {
    List<LogRecord> sel = all.stream().filter(q::selects).toList();
    return q.tail() < 0 ? sel : sel.subList(Math.max(0, sel.size() - q.tail()), sel.size());
  }

  @Test
  void tailGivesTheLastRecordsOfTheSelectedStreams() throws IOException {
    Path log = dir.resolve("ctr.log");
    List<LogRecord> all = writeMixed(log, 3000, 1);
    assertTrue(all.size() > 3000);
    for (Set<LogStream> streams : List.of(EnumSet.allOf(LogStream.class), EnumSet.of(LogStream.STDOUT), EnumSet.of(LogStream.STDERR))) {
      for (int n : new int[] {0, 1, 2, 7, 100, 999, 5000}) {
        LogQuery q = LogQuery.all().streams(streams).tail(n);
        assertEquals(texts(expected(all, q)), texts(LogReader.of(log).read(q)), "tail " + n + " of " + streams);
      }
    }
  }

  @Test
  void sinceAndUntilSelectByTime() throws IOException {
    Path log = dir.resolve("ctr.log");
    List<LogRecord> all = writeMixed(log, 3000, 2);
    for (int ms : new int[] {-5, 0, 1, 700, 1500, 2999, 3500}) {
      Instant t = T0.plusMillis(ms);
      LogQuery since = LogQuery.all().since(t);
      assertEquals(texts(expected(all, since)), texts(LogReader.of(log).read(since)), "since +" + ms + "ms");
      LogQuery until = LogQuery.all().until(t);
      assertEquals(texts(expected(all, until)), texts(LogReader.of(log).read(until)), "until +" + ms + "ms");
      LogQuery window = LogQuery.all().since(t.minusMillis(200)).until(t).tail(50);
      assertEquals(texts(expected(all, window)), texts(LogReader.of(log).read(window)), "window and tail at +" + ms + "ms");
    }
    assertThrows(InvalidArgumentException.class, () -> LogQuery.all().since(T0).until(T0.minusSeconds(1)));
  }

  @Test
  void readsAcrossRotatedFilesInOrder() throws IOException {
    Path log = dir.resolve("ctr.log");
    List<String> sent = new ArrayList<>();
    try (var conmon = new FakeConmon(log)) {
      var rotator = new LogRotator(log, LogOptions.parse(Map.of("max-size", "2k", "max-file", "3")), conmon::reopen);
      for (int i = 0; i < 200; i++) {
        conmon.write(LogStream.STDOUT, "record " + i + "\n", T0.plusMillis(i));
        sent.add("stdout:record " + i + "\n");
        rotator.rotateIfNeeded();
      }
    }
    assertTrue(Files.exists(dir.resolve("ctr.log.1")) && Files.exists(dir.resolve("ctr.log.2")));
    assertFalse(Files.exists(dir.resolve("ctr.log.3")), "max-file=3 keeps the log and two rotated files");
    for (Path p : List.of(log, dir.resolve("ctr.log.1"), dir.resolve("ctr.log.2"))) {
      assertTrue(Files.size(p) <= 2048 + 100, p + " is about max-size");
    }
    List<String> read = texts(LogReader.of(log).read(LogQuery.all()));
    assertEquals(sent.subList(sent.size() - read.size(), sent.size()), read, "the newest records, in order, none missing");
    assertTrue(read.size() > 60);
    assertEquals(sent.subList(sent.size() - 5, sent.size()), texts(LogReader.of(log).read(LogQuery.all().tail(5))));
    int deep = read.size() - 5; // more than the live file holds
    assertEquals(sent.subList(sent.size() - deep, sent.size()), texts(LogReader.of(log).read(LogQuery.all().tail(deep))),
        "a tail reaching into the rotated files");
    assertEquals(read, texts(LogReader.of(log).read(LogQuery.all().tail(read.size() + 100))));
    LogQuery since = LogQuery.all().since(T0.plusMillis(150));
    assertEquals(sent.subList(150, 200), texts(LogReader.of(log).read(since)));
  }

  @Test
  void followSeesNewRecordsAcrossRotationsAndEndsWhenTheWriterIsDone() throws Exception {
    Path log = dir.resolve("ctr.log");
    List<String> sent = Collections.synchronizedList(new ArrayList<>());
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean done = new AtomicBoolean();
    try (var conmon = new FakeConmon(log)) {
      for (int i = 0; i < 5; i++) {
        conmon.write(LogStream.STDOUT, "before " + i + "\n", T0);
        sent.add("stdout:before " + i + "\n");
      }
      // Enough files kept that nothing is dropped before the follower reads it. Between the rename
      // and the reopen, conmon writes on into the renamed file.
      var rotator = new LogRotator(log, new LogOptions(1500, 100), () -> {
        conmon.write(LogStream.STDOUT, "in the gap\n", T0);
        sent.add("stdout:in the gap\n");
        try {
          Thread.sleep(30);
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
        conmon.reopen();
      });
      Thread follower = Thread.ofVirtual().start(() -> {
        try {
          LogReader.of(log).follow(LogQuery.all().tail(3), r -> got.add(r.stream().id() + ":" + r.text()), done::get);
        } catch (Exception e) {
          got.add("error " + e);
        }
      });
      while (got.size() < 3) {
        Thread.sleep(10); // the tail is out before anything new is written
      }
      for (int i = 0; i < 300; i++) {
        LogStream s = i % 4 == 0 ? LogStream.STDERR : LogStream.STDOUT;
        if (i % 10 == 0) {
          conmon.write(s, "split ", T0.plusMillis(i));
          conmon.write(s, "line " + i + "\n", T0.plusMillis(i));
          sent.add(s.id() + ":split line " + i + "\n");
        } else {
          conmon.write(s, "record " + i + "\n", T0.plusMillis(i));
          sent.add(s.id() + ":record " + i + "\n");
        }
        if (i % 37 == 0) {
          Thread.sleep(60); // let the follower catch up at times, and at times not
        }
        rotator.rotateIfNeeded();
      }
      conmon.write(LogStream.STDOUT, "no newline at the end", T0.plusSeconds(1));
      sent.add("stdout:no newline at the end");
      done.set(true);
      follower.join(Duration.ofSeconds(10));
      assertFalse(follower.isAlive(), "follow returns once the writer is done");
    }
    assertEquals(sent.subList(2, sent.size()), got, "tail 3 of what was there, then everything, in order");
  }

  @Test
  void followWithTailZeroGivesOnlyNewRecordsAndSurvivesAReplacedFile() throws Exception {
    Path log = dir.resolve("ctr.log");
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean done = new AtomicBoolean();
    try (var conmon = new FakeConmon(log)) {
      conmon.write(LogStream.STDOUT, "old\n", T0);
      Thread follower = Thread.ofVirtual().start(() -> {
        try {
          LogReader.of(log).follow(LogQuery.all().tail(0), r -> got.add(r.text()), done::get);
        } catch (Exception e) {
          got.add("error " + e);
        }
      });
      Thread.sleep(150);
      conmon.write(LogStream.STDOUT, "new 1\n", T0.plusSeconds(1));
      Thread.sleep(150);
      conmon.reopen(); // as conmon's own --log-size-max does: a fresh, empty file
      conmon.write(LogStream.STDERR, "new 2\n", T0.plusSeconds(2));
      Thread.sleep(150);
      done.set(true);
      follower.join(Duration.ofSeconds(10));
    }
    assertEquals(List.of("new 1\n", "new 2\n"), got);
  }

  @Test
  void followStopsAtUntil() throws Exception {
    Path log = dir.resolve("ctr.log");
    try (var conmon = new FakeConmon(log)) {
      Instant now = Instant.now();
      conmon.write(LogStream.STDOUT, "a\n", now);
      List<String> got = new ArrayList<>();
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          Thread.sleep(100);
          conmon.write(LogStream.STDOUT, "b\n", now.plusSeconds(30));
          conmon.write(LogStream.STDOUT, "c\n", now.plusSeconds(60));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      LogReader.of(log).follow(LogQuery.all().until(now.plusSeconds(40)), r -> got.add(r.text()), () -> false);
      writer.join();
      assertEquals(List.of("a\n", "b\n"), got);
    }
  }

  @Test
  void multiplexedFramesAreDockersFormat() throws IOException {
    var bytes = new ByteArrayOutputStream();
    var mux = new MultiplexedStreamWriter(bytes);
    mux.write(LogStream.STDOUT, "hi\n".getBytes(StandardCharsets.UTF_8));
    mux.write(MultiplexedStreamWriter.STDERR, new byte[300], 0, 300);
    mux.write(LogStream.STDOUT, new byte[0]);
    byte[] b = bytes.toByteArray();
    assertEquals(List.of(1, 0, 0, 0, 0, 0, 0, 3), List.of(b[0] + 0, b[1] + 0, b[2] + 0, b[3] + 0, b[4] + 0, b[5] + 0, b[6] + 0, b[7] + 0));
    assertEquals(8 + 3 + 8 + 300, b.length, "an empty write sends no frame");
    assertEquals(2, b[11]);
    assertEquals(1, b[17] & 0xff);
    assertEquals(300 - 256, b[18] & 0xff);
    var in = new ByteArrayInputStream(b);
    assertEquals("hi\n", new String(MultiplexedStreamWriter.readFrame(in).payload(), StandardCharsets.UTF_8));
    assertEquals(300, MultiplexedStreamWriter.readFrame(in).payload().length);
    assertEquals(null, MultiplexedStreamWriter.readFrame(in));
  }

  @Test
  void logOptionsParseLikeDockers() {
    assertEquals(new LogOptions(10L << 20, 3), LogOptions.parse(Map.of("max-size", "10m", "max-file", "3")));
    assertEquals(new LogOptions(1536, 1), LogOptions.parse(Map.of("max-size", "1.5k")));
    assertEquals(new LogOptions(2L << 30, 1), LogOptions.parse(Map.of("max-size", "2GiB")));
    assertEquals(LogOptions.UNLIMITED, LogOptions.parse(Map.of()));
    var bad = assertThrows(InvalidArgumentException.class, () -> LogOptions.parse(Map.of("max-size", "lots")));
    assertTrue(bad.getMessage().contains("max-size=lots"), bad.getMessage());
    assertThrows(InvalidArgumentException.class, () -> LogOptions.parse(Map.of("max-file", "0", "max-size", "1m")));
    assertThrows(InvalidArgumentException.class, () -> LogOptions.parse(Map.of("max-file", "3")));
    var unknown = assertThrows(InvalidArgumentException.class, () -> LogOptions.parse(Map.of("labels", "x")));
    assertTrue(unknown.getMessage().contains("labels"), unknown.getMessage());
  }

  @Test
  void maxFileOneEmptiesTheLogInPlace() throws IOException {
    Path log = dir.resolve("ctr.log");
    try (var conmon = new FakeConmon(log)) {
      var rotator = new LogRotator(log, LogOptions.parse(Map.of("max-size", "100")), conmon::reopen);
      conmon.write(LogStream.STDOUT, "x".repeat(120) + "\n", T0);
      assertTrue(rotator.rotateIfNeeded());
      conmon.write(LogStream.STDOUT, "after\n", T0);
    }
    assertEquals(List.of("stdout:after\n"), texts(LogReader.of(log).read(LogQuery.all())));
    assertEquals(List.of(), LogReader.rotatedFiles(log));
  }

  @Test
  void aRotationRacingTheWritersExitKeepsTheLogReadable() throws Exception {
    Path log = dir.resolve("ctr.log");
    var options = LogOptions.parse(Map.of("max-size", "100", "max-file", "3"));
    try (var conmon = new FakeConmon(log)) {
      conmon.write(LogStream.STDOUT, "first\n" + "x".repeat(120) + "\n", T0);
    }
    // conmon exited before the rename: asking it to reopen fails, and nobody recreates the log.
    var gone = new LogRotator(log, options, () -> {
      throw new IOException("conmon is not running");
    });
    assertThrows(IOException.class, gone::rotateIfNeeded);
    assertTrue(Files.exists(log), "the log path keeps a file");
    assertEquals(List.of("stdout:first\n", "stdout:" + "x".repeat(120) + "\n"), texts(LogReader.of(log).read(LogQuery.all())));

    // conmon took the request but exited before acting on it: stopping the watch recreates the log.
    Files.writeString(log, "2026-11-27T10:24:15.000000000Z stdout F last\n".repeat(3));
    var renamedAway = new AtomicBoolean();
    var lost = new LogRotator(log, options, () -> renamedAway.set(true));
    AutoCloseable watching = lost.watch(Duration.ofMillis(10));
    while (!renamedAway.get()) {
      Thread.sleep(10);
    }
    assertFalse(Files.exists(log));
    assertTrue(LogReader.of(log).exists(), "the rotated files are the log");
    assertEquals(List.of("stdout:last\n"), texts(LogReader.of(log).read(LogQuery.all().tail(1))));
    watching.close();
    assertTrue(Files.exists(log), "stopping the watch leaves a file at the log path");
    assertEquals(5, LogReader.of(log).read(LogQuery.all()).size());
    assertEquals(List.of(log.resolveSibling("ctr.log.2"), log.resolveSibling("ctr.log.1")), LogReader.rotatedFiles(log));
  }

  @Test
  void aMissingLogReadsAsEmpty() throws IOException {
    assertFalse(LogReader.of(dir.resolve("none.log")).exists());
    assertEquals(List.of(), LogReader.of(dir.resolve("none.log")).read(LogQuery.all().tail(5)));
  }
}

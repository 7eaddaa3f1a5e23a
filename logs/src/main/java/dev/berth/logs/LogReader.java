package dev.berth.logs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Reads a container's log: the k8s-file {@code log} conmon writes, preceded by the files rotation
 * left ({@code log.1} newer than {@code log.2} …, see {@link LogRotator}), as one sequence of
 * {@link LogRecord}s with partial lines rejoined per stream.
 *
 * <p>Large logs are never read whole for {@code tail}, {@code since} or {@code until}: the tail
 * is found by reading backwards from the end in 64 KiB blocks, and time bounds by binary search
 * over byte offsets (conmon stamps lines in order; the two streams may disagree by microseconds,
 * which a 100 ms slack absorbs before the exact filter).
 *
 * <pre>{@code
 * LogReader log = LogReader.of(containerDir.resolve("ctr.log"));
 * for (LogRecord r : log.read(LogQuery.all().tail(10))) out.write(r.render(false));
 * // docker logs -f --tail 10: blocks until the container is gone (and its output drained)
 * log.follow(LogQuery.all().tail(10), r -> framer.write(r.stream(), r.render(timestamps)),
 *     () -> !container.running());
 * }</pre>
 *
 * <p>{@link #follow} survives rotation: when the file at the path is replaced (renamed by the
 * rotator and recreated by conmon, or replaced by conmon's own {@code --log-size-max}), it drains
 * the old file through its open descriptor, then continues at the start of the new one; a file
 * truncated in place is read again from its start.
 */
public final class LogReader {
  static final Duration SLACK = Duration.ofMillis(100);
  static final int BLOCK = 64 * 1024;
  /** How far back to look for the start of a long partial line before a tail or since start. */
  static final long BOUNDARY_SCAN_LIMIT = 4L * 1024 * 1024;
  static final Duration POLL = Duration.ofMillis(50);

  private final Path log;
  /** Bytes read from disk by this reader: lets tests check that a tail did not read a whole file. */
  long bytesRead;

  private LogReader(Path log) {
    this.log = log;
  }

  /** A reader of the log at {@code log} and its rotated files {@code log.1}, {@code log.2}, …. */
  public static LogReader of(Path log) {
    return new LogReader(log);
  }

  /**
   * True if the log or any of its rotated files exists. Not just {@code log}: a rotation that
   * raced with the writer's exit can leave only {@code log.1 …}, which still hold the output.
   */
  public boolean exists() throws IOException {
    return Files.exists(log) || !rotatedFiles(log).isEmpty();
  }

  /** The records {@code q} selects, oldest first. */
  public List<LogRecord> read(LogQuery q) {
    List<LogRecord> out = new ArrayList<>();
    try {
      read(q, out::add);
    } catch (IOException e) {
      throw new UncheckedIOException("reading log " + log + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Passes the records {@code q} selects to {@code sink}, oldest first, then returns. */
  public void read(LogQuery q, LogSink sink) throws IOException {
    try (Sequence files = Sequence.open(this)) {
      Joiner joiner = new Joiner();
      Output output = new Output(q, sink);
      readExisting(files, q, joiner, output);
      for (LogRecord r : joiner.incomplete()) {
        output.accept(r);
      }
      output.flush();
    }
  }

  /**
   * Like {@link #read(LogQuery, LogSink)}, then keeps passing new records as the container writes
   * them, until {@code writerDone} says the writer is gone and everything it wrote has been read,
   * until a record is later than {@code q.until()}, until {@code sink} throws, or until the
   * thread is interrupted. Polls every 50 ms.
   */
  public void follow(LogQuery q, LogSink sink, BooleanSupplier writerDone) throws IOException, InterruptedException {
    Joiner joiner = new Joiner();
    Output output = new Output(q, sink);
    Live live;
    Set<Object> seen = new java.util.HashSet<>();
    try (Sequence files = Sequence.open(this)) {
      readExisting(files, q, joiner, output);
      output.flush();
      files.segments.forEach(seg -> seen.add(seg.fileKey));
      live = files.takeLive();
    }
    output.streaming = true;
    try {
      if (q.until() != null && q.until().isBefore(Instant.now())) {
        return;
      }
      while (true) {
        boolean done = writerDone.getAsBoolean();
        if (live == null) {
          live = Live.successor(this, seen);
        }
        long n = live == null ? 0 : live.readNew(joiner, output);
        if (output.pastUntil) {
          return;
        }
        if (n > 0) {
          continue;
        }
        if (live != null && live.replaced()) {
          live.readNew(joiner, output); // what was written before the switch
          live.close();
          seen.add(live.fileKey);
          live = Live.successor(this, seen);
          continue;
        }
        if (done) {
          for (LogRecord r : joiner.incomplete()) {
            output.accept(r);
          }
          return;
        }
        Thread.sleep(POLL);
      }
    } finally {
      if (live != null) {
        live.close();
      }
    }
  }

  // ---- reading what is there ----

  private void readExisting(Sequence files, LogQuery q, Joiner joiner, Output output) throws IOException {
    if (files.segments.isEmpty() || q.tail() == 0) {
      return;
    }
    Position end = q.until() == null ? files.end() : files.firstAtOrAfter(q.until().plus(SLACK));
    Position start = new Position(0, 0);
    if (q.since() != null) {
      start = max(start, files.boundaryBefore(files.firstAtOrAfter(q.since().minus(SLACK)), q.streams()));
    }
    if (q.tail() > 0) {
      start = max(start, files.tailStart(end, q));
    }
    files.forward(start, end, line -> joiner.accept(line, output));
  }

  private static Position max(Position a, Position b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  // ---- plumbing ----

  /** A place in the sequence of files: segment index (oldest first) and byte offset. */
  record Position(int segment, long offset) implements Comparable<Position> {
    @Override
    public int compareTo(Position o) {
      return segment != o.segment ? Integer.compare(segment, o.segment) : Long.compare(offset, o.offset);
    }
  }

  /** Filters records by the query, keeps the last {@code tail} while reading what exists, then streams. */
  private static final class Output {
    private final LogQuery q;
    private final LogSink sink;
    private final ArrayDeque<LogRecord> ring = new ArrayDeque<>();
    boolean streaming;
    boolean pastUntil;

    Output(LogQuery q, LogSink sink) {
      this.q = q;
      this.sink = sink;
    }

    void accept(LogRecord r) throws IOException {
      if (q.until() != null && r.time().isAfter(q.until().plus(SLACK)) && streaming) {
        pastUntil = true;
      }
      if (!q.selects(r)) {
        return;
      }
      if (!streaming && q.tail() > 0) {
        ring.addLast(r);
        if (ring.size() > q.tail()) {
          ring.removeFirst();
        }
        return;
      }
      sink.accept(r);
    }

    void flush() throws IOException {
      while (!ring.isEmpty()) {
        sink.accept(ring.removeFirst());
      }
    }
  }

  /** Rejoins partial lines per stream. */
  private static final class Joiner {
    private record Pending(Instant time, java.io.ByteArrayOutputStream bytes) {}

    private final Map<LogStream, Pending> pending = new EnumMap<>(LogStream.class);

    void accept(LogLine line, Output out) throws IOException {
      Pending p = pending.get(line.stream());
      if (line.partial()) {
        if (p == null) {
          p = new Pending(line.time(), new java.io.ByteArrayOutputStream());
          pending.put(line.stream(), p);
        }
        p.bytes().writeBytes(line.content());
        return;
      }
      byte[] content;
      Instant time = line.time();
      if (p == null) {
        content = new byte[line.content().length + 1];
        System.arraycopy(line.content(), 0, content, 0, line.content().length);
      } else {
        pending.remove(line.stream());
        p.bytes().writeBytes(line.content());
        p.bytes().write('\n');
        content = p.bytes().toByteArray();
        time = p.time();
        out.accept(new LogRecord(time, line.stream(), content));
        return;
      }
      content[content.length - 1] = '\n';
      out.accept(new LogRecord(time, line.stream(), content));
    }

    /** Lines still without their end, as records without a newline; forgets them. */
    List<LogRecord> incomplete() {
      List<LogRecord> out = new ArrayList<>();
      pending.forEach((s, p) -> out.add(new LogRecord(p.time(), s, p.bytes().toByteArray())));
      pending.clear();
      out.sort(Comparator.comparing(LogRecord::time));
      return out;
    }
  }

  @FunctionalInterface
  interface LineConsumer {
    void accept(LogLine line) throws IOException;
  }

  /** One open file of the sequence; {@code end} is its size when opened, cut after the last newline. */
  private static final class Segment {
    final Path path;
    final FileChannel channel;
    final long end;
    final Object fileKey;

    Segment(Path path, FileChannel channel, long end, Object fileKey) {
      this.path = path;
      this.channel = channel;
      this.end = end;
      this.fileKey = fileKey;
    }
  }

  /** The files of the log, open, as they were when the read began. */
  private static final class Sequence implements AutoCloseable {
    final LogReader reader;
    final List<Segment> segments = new ArrayList<>();
    /** The live file (the last segment), kept open for follow; null if it did not exist. */
    private Segment live;

    private Sequence(LogReader reader) {
      this.reader = reader;
    }

    static Sequence open(LogReader reader) throws IOException {
      Sequence f = new Sequence(reader);
      try {
        for (Path p : rotatedFiles(reader.log)) {
          Segment s = f.openSegment(p);
          if (s != null) {
            f.segments.add(s);
          }
        }
        f.live = f.openSegment(reader.log);
        if (f.live != null) {
          f.segments.add(f.live);
        }
      } catch (IOException | RuntimeException e) {
        f.close();
        throw e;
      }
      return f;
    }

    private Segment openSegment(Path p) throws IOException {
      Opened o = Opened.of(p);
      if (o == null) {
        return null;
      }
      long size = o.channel().size();
      return new Segment(p, o.channel(), lastNewlineEnd(o.channel(), size), o.fileKey());
    }

    /** The offset after the last newline before {@code size}: a line still being written is not read yet. */
    private long lastNewlineEnd(FileChannel ch, long size) throws IOException {
      long pos = size;
      while (pos > 0) {
        long from = Math.max(0, pos - BLOCK);
        byte[] b = reader.readAt(ch, from, (int) (pos - from));
        for (int i = b.length - 1; i >= 0; i--) {
          if (b[i] == '\n') {
            return from + i + 1;
          }
        }
        pos = from;
      }
      return 0;
    }

    Position end() {
      return new Position(segments.size() - 1, segments.getLast().end);
    }

    /** Hands the live segment over to a follower, which will close it. */
    Live takeLive() {
      if (live == null) {
        return null;
      }
      Live l = new Live(reader, live.path, live.channel, live.end, live.fileKey);
      segments.remove(live);
      live = null;
      return l;
    }

    // -- forward --

    void forward(Position from, Position to, LineConsumer consumer) throws IOException {
      for (int i = from.segment(); i <= to.segment() && i < segments.size(); i++) {
        Segment s = segments.get(i);
        long start = i == from.segment() ? from.offset() : 0;
        long stop = i == to.segment() ? to.offset() : s.end;
        reader.forwardLines(s.channel, start, stop, consumer);
      }
    }

    // -- backward --

    @FunctionalInterface
    interface BackwardVisitor {
      /** Returns false to stop. {@code line} is null for a line that does not parse. */
      boolean visit(int segment, long start, long end, LogLine line) throws IOException;
    }

    void backward(Position from, BackwardVisitor v) throws IOException {
      for (int i = from.segment(); i >= 0; i--) {
        Segment s = segments.get(i);
        long end = i == from.segment() ? from.offset() : s.end;
        if (!reader.backwardLines(s.channel, end, i, v)) {
          return;
        }
      }
    }

    /**
     * Where to start reading so that the last {@code q.tail()} selected records before
     * {@code end} come out whole.
     */
    Position tailStart(Position end, LogQuery q) throws IOException {
      Position[] candidate = {new Position(0, 0)};
      int[] count = {0};
      backward(end, (seg, start, stop, line) -> {
        if (line == null || line.partial() || !q.streams().contains(line.stream())
            || (q.until() != null && line.time().isAfter(q.until()))) {
          return true;
        }
        if (++count[0] == q.tail()) {
          candidate[0] = new Position(seg, start);
          return false;
        }
        return true;
      });
      return count[0] < q.tail() ? new Position(0, 0) : boundaryBefore(candidate[0], q.streams());
    }

    /**
     * Moves {@code p} back to where no selected stream is in the middle of a partial line, so
     * that reading from there gives whole records; gives up after {@link #BOUNDARY_SCAN_LIMIT}
     * bytes (a longer partial line may then come out without its beginning).
     */
    Position boundaryBefore(Position p, Set<LogStream> streams) throws IOException {
      Position[] candidate = {p};
      Set<LogStream> resolved = EnumSet.noneOf(LogStream.class);
      LogStream[] seeking = {null};
      long[] scanned = {0};
      backward(p, (seg, start, stop, line) -> {
        scanned[0] += stop - start;
        if (scanned[0] > BOUNDARY_SCAN_LIMIT) {
          return false;
        }
        if (line == null || !streams.contains(line.stream())) {
          return true;
        }
        if (seeking[0] != null) {
          if (line.stream() == seeking[0] && !line.partial()) {
            candidate[0] = new Position(seg, stop);
            resolved.clear();
            resolved.add(seeking[0]);
            seeking[0] = null;
          }
        } else if (!resolved.contains(line.stream())) {
          if (line.partial()) {
            seeking[0] = line.stream();
          } else {
            resolved.add(line.stream());
          }
        }
        return seeking[0] != null || !resolved.containsAll(streams);
      });
      if (seeking[0] != null && scanned[0] <= BOUNDARY_SCAN_LIMIT) {
        return new Position(0, 0); // the partial line began with the log
      }
      return candidate[0];
    }

    // -- by time --

    /** The first line stamped at or after {@code t} (lines are in time order, give or take the slack). */
    Position firstAtOrAfter(Instant t) throws IOException {
      int seg = 0;
      for (int i = segments.size() - 1; i >= 0; i--) {
        Instant first = reader.timeOfLineAt(segments.get(i), 0);
        if (first != null && !first.isAfter(t)) {
          seg = i;
          break;
        }
      }
      Segment s = segments.get(seg);
      long lo = 0;
      long hi = s.end;
      while (hi - lo > BLOCK) {
        long mid = lo + (hi - lo) / 2;
        long lineStart = reader.nextLineStart(s, mid);
        if (lineStart >= hi) {
          hi = mid;
          continue;
        }
        Instant time = reader.timeOfLineAt(s, lineStart);
        if (time != null && time.isBefore(t)) {
          lo = lineStart;
        } else {
          hi = mid;
        }
      }
      long[] found = {-1};
      reader.forwardLinesWithOffsets(s.channel, lo, s.end, (start, line) -> {
        if (line != null && !line.time().isBefore(t)) {
          found[0] = start;
          return false;
        }
        return true;
      });
      if (found[0] >= 0) {
        return new Position(seg, found[0]);
      }
      return seg + 1 < segments.size() ? new Position(seg + 1, 0) : new Position(seg, s.end);
    }

    @Override
    public void close() {
      for (Segment s : segments) {
        try {
          s.channel.close();
        } catch (IOException ignored) {
          // Read-only: nothing to lose.
        }
      }
      if (live != null && !segments.contains(live)) {
        try {
          live.channel.close();
        } catch (IOException ignored) {
          // Read-only.
        }
      }
    }
  }

  /** The file a follower is reading as it grows. */
  private static final class Live {
    final LogReader reader;
    final Path path;
    final FileChannel channel;
    final Object fileKey;
    long position;
    byte[] carry = new byte[0];

    Live(LogReader reader, Path path, FileChannel channel, long position, Object fileKey) {
      this.reader = reader;
      this.path = path;
      this.channel = channel;
      this.position = position;
      this.fileKey = fileKey;
    }

    /**
     * The oldest file of the log not read yet. Usually the new {@code log}; but when several
     * rotations happened since the last look, the rotated files in between come first.
     */
    static Live successor(LogReader reader, Set<Object> seen) throws IOException {
      List<Path> sequence = new ArrayList<>(rotatedFiles(reader.log));
      sequence.add(reader.log);
      for (Path p : sequence) {
        Opened o = Opened.of(p);
        if (o == null) {
          continue;
        }
        if (!seen.contains(o.fileKey())) {
          return new Live(reader, p, o.channel(), 0, o.fileKey());
        }
        o.channel().close();
      }
      return null;
    }

    /** Reads what was appended since last time; returns the bytes read. */
    long readNew(Joiner joiner, Output output) throws IOException {
      long size = channel.size();
      if (size < position) {
        position = 0; // truncated in place: start again
        carry = new byte[0];
      }
      long total = 0;
      while (position < size) {
        int n = (int) Math.min(BLOCK, size - position);
        byte[] chunk = reader.readAt(channel, position, n);
        position += chunk.length;
        total += chunk.length;
        byte[] buf = carry.length == 0 ? chunk : concat(carry, chunk);
        int lineStart = 0;
        for (int i = 0; i < buf.length; i++) {
          if (buf[i] == '\n') {
            LogLine line = LogLine.parse(buf, lineStart, i);
            if (line != null) {
              joiner.accept(line, output);
            }
            lineStart = i + 1;
          }
        }
        carry = java.util.Arrays.copyOfRange(buf, lineStart, buf.length);
        if (chunk.length < n) {
          break;
        }
      }
      return total;
    }

    /**
     * True when the log's path names another file now, which only conmon creates once it no
     * longer writes to this one, and this one is fully read.
     */
    boolean replaced() throws IOException {
      try {
        return !Opened.key(reader.log).equals(fileKey) && position >= channel.size();
      } catch (NoSuchFileException e) {
        return false; // renamed away, its successor not created yet: keep reading this one
      }
    }

    void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Read-only.
      }
    }
  }

  // ---- low-level reads ----

  /** A file opened together with its identity (device and inode), so that a rename is noticed. */
  private record Opened(FileChannel channel, Object fileKey) {
    /** Null when the file does not exist. */
    static Opened of(Path p) throws IOException {
      for (int attempt = 0; ; attempt++) {
        try {
          Object before = key(p);
          FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
          Object after = key(p);
          if (before.equals(after) || attempt > 10) {
            return new Opened(ch, after);
          }
          ch.close(); // replaced between the two looks: open the new one
        } catch (NoSuchFileException e) {
          return null;
        }
      }
    }

    /** Device and inode, with the birth time so that a reused inode is not taken for the same file. */
    static Object key(Path p) throws IOException {
      var a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return List.of(a.fileKey(), a.creationTime());
    }
  }

  /** {@code log.N} files, oldest (highest N) first. */
  static List<Path> rotatedFiles(Path log) throws IOException {
    String prefix = log.getFileName() + ".";
    Path dir = log.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var list = Files.list(dir)) {
      return list
          .filter(p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.length() > prefix.length()
                && n.substring(prefix.length()).chars().allMatch(c -> c >= '0' && c <= '9') && n.length() - prefix.length() < 9;
          })
          .sorted(Comparator.comparingInt((Path p) -> Integer.parseInt(p.getFileName().toString().substring(prefix.length()))).reversed())
          .toList();
    }
  }

  static Path rotatedPath(Path log, int n) {
    return log.resolveSibling(log.getFileName() + "." + n);
  }

  byte[] readAt(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      int n = ch.read(buf, position + buf.position());
      if (n < 0) {
        break;
      }
    }
    bytesRead += buf.position();
    return buf.position() == length ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
  }

  private void forwardLines(FileChannel ch, long from, long to, LineConsumer consumer) throws IOException {
    forwardLinesWithOffsets(ch, from, to, (start, line) -> {
      if (line != null) {
        consumer.accept(line);
      }
      return true;
    });
  }

  @FunctionalInterface
  interface OffsetLineVisitor {
    boolean visit(long start, LogLine line) throws IOException;
  }

  /** Complete lines in [from, to), in order, with their start offsets. */
  private void forwardLinesWithOffsets(FileChannel ch, long from, long to, OffsetLineVisitor v) throws IOException {
    long pos = from;
    byte[] carry = new byte[0];
    long carryStart = from;
    while (pos < to) {
      byte[] chunk = readAt(ch, pos, (int) Math.min(BLOCK, to - pos));
      if (chunk.length == 0) {
        return;
      }
      byte[] buf = carry.length == 0 ? chunk : concat(carry, chunk);
      long bufStart = carry.length == 0 ? pos : carryStart;
      int lineStart = 0;
      for (int i = 0; i < buf.length; i++) {
        if (buf[i] == '\n') {
          if (!v.visit(bufStart + lineStart, LogLine.parse(buf, lineStart, i))) {
            return;
          }
          lineStart = i + 1;
        }
      }
      carry = java.util.Arrays.copyOfRange(buf, lineStart, buf.length);
      carryStart = bufStart + lineStart;
      pos += chunk.length;
    }
  }

  /** Complete lines ending at or before {@code end}, last first. Returns false if the visitor stopped. */
  private boolean backwardLines(FileChannel ch, long end, int segment, Sequence.BackwardVisitor v) throws IOException {
    long lineEnd = end;
    byte[] block = new byte[0];
    long blockStart = end;
    while (lineEnd > 0) {
      // The newline before this line's own one (at lineEnd - 1) marks where the line starts.
      long cursor = lineEnd - 2;
      long newline = -1;
      while (cursor >= 0) {
        if (cursor < blockStart || cursor >= blockStart + block.length) {
          long from = Math.max(0, cursor + 1 - BLOCK);
          block = readAt(ch, from, (int) (cursor + 1 - from));
          blockStart = from;
        }
        int i = (int) (cursor - blockStart);
        while (i >= 0 && block[i] != '\n') {
          i--;
        }
        if (i >= 0) {
          newline = blockStart + i;
          break;
        }
        cursor = blockStart - 1;
      }
      long lineStart = newline + 1;
      byte[] line;
      int len = (int) (lineEnd - 1 - lineStart);
      if (lineStart >= blockStart && lineEnd - 1 <= blockStart + block.length) {
        line = java.util.Arrays.copyOfRange(block, (int) (lineStart - blockStart), (int) (lineStart - blockStart) + len);
      } else {
        line = readAt(ch, lineStart, len);
      }
      if (!v.visit(segment, lineStart, lineEnd, LogLine.parse(line, 0, line.length))) {
        return false;
      }
      lineEnd = lineStart;
    }
    return true;
  }

  /** The start of the first line beginning after offset {@code at}. */
  private long nextLineStart(Segment s, long at) throws IOException {
    long pos = at;
    while (pos < s.end) {
      byte[] b = readAt(s.channel, pos, (int) Math.min(4096, s.end - pos));
      for (int i = 0; i < b.length; i++) {
        if (b[i] == '\n') {
          return pos + i + 1;
        }
      }
      pos += b.length;
    }
    return s.end;
  }

  private Instant timeOfLineAt(Segment s, long start) throws IOException {
    if (start >= s.end) {
      return null;
    }
    byte[] b = readAt(s.channel, start, (int) Math.min(64, s.end - start));
    int sp = LogLine.indexOf(b, 0, b.length, (byte) ' ');
    return sp < 0 ? null : LogLine.parseTime(b, 0, sp);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

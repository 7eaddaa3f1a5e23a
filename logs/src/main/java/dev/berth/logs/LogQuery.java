package dev.berth.logs;

import dev.berth.errors.InvalidArgumentException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * What to read from a log, as {@code docker logs} asks: which streams, records from
 * {@code since} and up to {@code until} (both inclusive, null for no bound), and only the last
 * {@code tail} of them (negative: all).
 *
 * <pre>{@code
 * LogQuery.all().tail(100).since(Instant.parse("2026-11-27T10:00:00Z")).streams(EnumSet.of(LogStream.STDERR))
 * }</pre>
 */
public record LogQuery(Set<LogStream> streams, Instant since, Instant until, int tail) {
  public LogQuery {
    if (streams == null || streams.isEmpty()) {
      throw new InvalidArgumentException("reading logs: select stdout, stderr or both");
    }
    streams = Set.copyOf(EnumSet.copyOf(streams));
    if (since != null && until != null && until.isBefore(since)) {
      throw new InvalidArgumentException("reading logs: until " + until + " is before since " + since);
    }
  }

  /** Both streams, everything. */
  public static LogQuery all() {
    return new LogQuery(EnumSet.allOf(LogStream.class), null, null, -1);
  }

  public LogQuery streams(Set<LogStream> s) {
    return new LogQuery(s, since, until, tail);
  }

  public LogQuery since(Instant t) {
    return new LogQuery(streams, t, until, tail);
  }

  public LogQuery until(Instant t) {
    return new LogQuery(streams, since, t, tail);
  }

  /** Only the last {@code n} records (0: none, then follow only new ones); negative: all. */
  public LogQuery tail(int n) {
    return new LogQuery(streams, since, until, n);
  }

  boolean selects(LogRecord r) {
    return streams.contains(r.stream())
        && (since == null || !r.time().isBefore(since))
        && (until == null || !r.time().isAfter(until));
  }
}

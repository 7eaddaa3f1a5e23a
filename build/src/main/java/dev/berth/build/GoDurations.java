package dev.berth.build;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's {@code time.ParseDuration} and {@code Duration.String}, as Dockerfiles and history strings use them. */
final class GoDurations {
  private GoDurations() {}

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

  /** Parses {@code 30s}, {@code 1m30s}, {@code 1.5h}, {@code 500ms}; throws IllegalArgumentException otherwise. */
  static Duration parse(String s) {
    String t = s;
    boolean negative = false;
    if (t.startsWith("-") || t.startsWith("+")) {
      negative = t.startsWith("-");
      t = t.substring(1);
    }
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    if (t.isEmpty()) {
      throw new IllegalArgumentException("time: invalid duration \"" + s + "\"");
    }
    Matcher m = PART.matcher(t);
    int pos = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (pos < t.length()) {
      if (!m.find(pos) || m.start() != pos) {
        throw new IllegalArgumentException("time: invalid duration \"" + s + "\"");
      }
      long unit = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs", "μs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
      pos = m.end();
    }
    Duration d = Duration.ofNanos(nanos.longValue());
    return negative ? d.negated() : d;
  }

  /** Go's {@code Duration.String()}: {@code 0s}, {@code 1.5s}, {@code 1m30s}, {@code 500ms}. */
  static String format(Duration d) {
    long n = d.toNanos();
    if (n == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    if (n < 0) {
      out.append('-');
      n = -n;
    }
    if (n < 1_000_000_000L) {
      if (n < 1_000L) {
        return out.append(n).append("ns").toString();
      }
      if (n < 1_000_000L) {
        return out.append(fraction(n, 1_000L)).append("µs").toString();
      }
      return out.append(fraction(n, 1_000_000L)).append("ms").toString();
    }
    long h = n / 3_600_000_000_000L;
    n -= h * 3_600_000_000_000L;
    long m = n / 60_000_000_000L;
    n -= m * 60_000_000_000L;
    if (h > 0) {
      out.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      out.append(m).append('m');
    }
    return out.append(fraction(n, 1_000_000_000L)).append('s').toString();
  }

  private static String fraction(long n, long unit) {
    return new BigDecimal(n).divide(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString();
  }
}

package dev.berth.logs;

import dev.berth.errors.InvalidArgumentException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --log-opt} settings berth honours, as Docker's json-file driver: {@code max-size}
 * (bytes, with Docker's binary units: {@code 10m} is 10 MiB; 0 for no limit) and {@code max-file}
 * (how many files to keep, the live one included; default 1).
 *
 * <pre>{@code
 * LogOptions o = LogOptions.parse(Map.of("max-size", "10m", "max-file", "3"));   // 10485760, 3
 * }</pre>
 */
public record LogOptions(long maxSize, int maxFiles) {
  public static final LogOptions UNLIMITED = new LogOptions(0, 1);

  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(?:i?b)?");

  public LogOptions {
    if (maxSize < 0) {
      throw new InvalidArgumentException("log option max-size must not be negative");
    }
    if (maxFiles < 1) {
      throw new InvalidArgumentException("log option max-file must be at least 1, not " + maxFiles);
    }
  }

  /** Whether the log is ever rotated. */
  public boolean rotates() {
    return maxSize > 0;
  }

  /**
   * Parses {@code --log-opt} key/values; unknown keys and malformed values are
   * {@link InvalidArgumentException}s naming them.
   */
  public static LogOptions parse(Map<String, String> opts) {
    long maxSize = 0;
    int maxFiles = 1;
    for (var e : opts.entrySet()) {
      switch (e.getKey()) {
        case "max-size" -> maxSize = parseSize(e.getValue());
        case "max-file" -> {
          try {
            maxFiles = Integer.parseInt(e.getValue().strip());
          } catch (NumberFormatException x) {
            throw new InvalidArgumentException("log option max-file=" + e.getValue() + ": not a number");
          }
          if (maxFiles < 1) {
            throw new InvalidArgumentException("log option max-file=" + e.getValue() + ": must be at least 1");
          }
        }
        default -> throw new InvalidArgumentException(
            "unknown log option \"" + e.getKey() + "\": berth supports max-size and max-file");
      }
    }
    if (maxFiles > 1 && maxSize == 0) {
      throw new InvalidArgumentException("log option max-file=" + maxFiles + " needs max-size");
    }
    return new LogOptions(maxSize, maxFiles);
  }

  /** Docker's RAMInBytes: "10m" = 10 MiB, "1.5k", "512", "2GiB"; case does not matter. */
  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new InvalidArgumentException("log option max-size=" + text + ": not a size (e.g. 10m, 512k, 1g)");
    }
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      case "p" -> 50;
      default -> 0;
    };
    double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
    if (bytes >= Long.MAX_VALUE) {
      throw new InvalidArgumentException("log option max-size=" + text + ": too large");
    }
    return (long) bytes;
  }
}

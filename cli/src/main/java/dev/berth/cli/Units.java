package dev.berth.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Sizes and ages as docker prints them: the formulas of go-units ({@code HumanSizeWithPrecision},
 * {@code HumanDuration}), so that scripts comparing berth's and docker's output see the same text.
 */
final class Units {
  private Units() {}

  private static final String[] DECIMAL = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};

  /** {@code 1984172} is {@code "1.98MB"}: decimal units, 3 significant digits (images, history). */
  static String size(long bytes) {
    return size(bytes, 3);
  }

  /** go-units {@code HumanSizeWithPrecision}; prune's "Total reclaimed space" uses 4 digits. */
  static String size(double bytes, int precision) {
    int i = 0;
    while (bytes >= 1000.0 && i < DECIMAL.length - 1) {
      bytes /= 1000.0;
      i++;
    }
    return goG(bytes, precision) + DECIMAL[i];
  }

  /**
   * Go's {@code %.Ng}: N significant digits, trailing zeros dropped, exponent form when the
   * exponent is below -4 or at least N. That is why docker can print {@code 1e+03kB}.
   */
  static String goG(double value, int precision) {
    if (value == 0) {
      return "0";
    }
    BigDecimal rounded = new BigDecimal(value).round(new MathContext(precision, RoundingMode.HALF_EVEN));
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent < -4 || exponent >= precision) {
      BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
      String m = mantissa.scale() <= 0 ? mantissa.toBigInteger().toString() : mantissa.toPlainString();
      String sign = exponent < 0 ? "-" : "+";
      int abs = Math.abs(exponent);
      return m + "e" + sign + (abs < 10 ? "0" : "") + abs;
    }
    BigDecimal plain = rounded.stripTrailingZeros();
    return plain.scale() <= 0 ? plain.toBigInteger().toString() : plain.toPlainString();
  }

  private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

  /** go-units {@code BytesSize}: binary units, 4 significant digits ("15.5GiB" in info). */
  static String binarySize(double bytes) {
    int i = 0;
    while (bytes >= 1024.0 && i < BINARY.length - 1) {
      bytes /= 1024.0;
      i++;
    }
    return goG(bytes, 4) + BINARY[i];
  }

  /** go-units {@code HumanDuration}: "Less than a second", "About a minute", "3 weeks". */
  static String duration(Duration d) {
    return dev.berth.api.model.ContainerViews.humanDuration(d);
  }

  /** "2 minutes ago" for a unix time in seconds, relative to {@code nowMillis}. */
  static String since(long createdSeconds, long nowMillis) {
    return duration(Duration.ofMillis(nowMillis - createdSeconds * 1000)) + " ago";
  }

  /** An image ID as docker shows it by default: without {@code sha256:}, 12 hex digits. */
  static String shortId(String id) {
    if (id == null) {
      return "";
    }
    int colon = id.indexOf(':');
    String hex = colon >= 0 ? id.substring(colon + 1) : id;
    return hex.length() > 12 ? hex.substring(0, 12) : hex;
  }

  /** Cuts {@code s} to {@code width} code points, the last one an ellipsis, as docker's CREATED BY. */
  static String ellipsis(String s, int width) {
    if (s.codePointCount(0, s.length()) <= width) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, width - 1)) + "…";
  }
}

package dev.berth.api.model;

import dev.berth.errors.InvalidArgumentException;

/**
 * A Docker Engine API version, {@code 1.41} or {@code 1.50}, as it appears in request paths
 * ({@code /v1.41/info}). Answers differ by version, so mappings take the version asked for.
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {

  /** The version berthd speaks by default: that of docker CLI 28.2. */
  public static final ApiVersion CURRENT = new ApiVersion(1, 50);
  /** The oldest version Docker 28 still accepts. */
  public static final ApiVersion MINIMUM = new ApiVersion(1, 24);

  public ApiVersion {
    if (major < 0 || minor < 0) {
      throw new InvalidArgumentException("invalid API version " + major + "." + minor);
    }
  }

  /** Parses {@code 1.41}; a leading {@code v}, as in request paths, is accepted. */
  public static ApiVersion parse(String text) {
    if (text == null) {
      throw new InvalidArgumentException("missing API version");
    }
    String s = text.startsWith("v") ? text.substring(1) : text;
    int dot = s.indexOf('.');
    try {
      if (dot <= 0 || dot == s.length() - 1) {
        throw new NumberFormatException();
      }
      int major = Integer.parseInt(s, 0, dot, 10);
      int minor = Integer.parseInt(s, dot + 1, s.length(), 10);
      if (s.charAt(0) == '+' || s.charAt(dot + 1) == '+' || s.charAt(dot + 1) == '-') {
        throw new NumberFormatException();
      }
      return new ApiVersion(major, minor);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("invalid API version \"" + text + "\": want MAJOR.MINOR, e.g. 1.41");
    }
  }

  public boolean lessThan(ApiVersion other) {
    return compareTo(other) < 0;
  }

  /** For the version gates Docker's router writes as {@code versions.LessThan(version, "1.44")}. */
  public boolean lessThan(String other) {
    return lessThan(parse(other));
  }

  public boolean atLeast(String other) {
    return !lessThan(other);
  }

  @Override
  public int compareTo(ApiVersion o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}

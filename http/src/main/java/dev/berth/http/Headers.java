package dev.berth.http;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Header fields in wire order, names compared case-insensitively. Immutable: {@link #with} and
 * {@link #without} return new values.
 */
public final class Headers implements Iterable<Map.Entry<String, String>> {
  public static final Headers EMPTY = new Headers(List.of());

  private final List<Map.Entry<String, String>> fields;

  private Headers(List<Map.Entry<String, String>> fields) {
    this.fields = fields;
  }

  /** {@code Headers.of("Content-Type", "application/json", "X-Id", "1")}. */
  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("headers come in name, value pairs");
    }
    var list = new ArrayList<Map.Entry<String, String>>(namesAndValues.length / 2);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      list.add(field(namesAndValues[i], namesAndValues[i + 1]));
    }
    return new Headers(List.copyOf(list));
  }

  static Headers ofTrusted(List<Map.Entry<String, String>> fields) {
    return new Headers(List.copyOf(fields));
  }

  /** Rejects what would let a value split a message: CR, LF and NUL. */
  static Map.Entry<String, String> field(String name, String value) {
    if (name.isEmpty() || !Wire.isToken(name)) {
      throw new IllegalArgumentException("invalid header name \"" + name + "\"");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        throw new IllegalArgumentException("invalid character in header " + name);
      }
    }
    return Map.entry(name, value);
  }

  /** The first value of the field, or null. */
  public String first(String name) {
    for (var f : fields) {
      if (f.getKey().equalsIgnoreCase(name)) {
        return f.getValue();
      }
    }
    return null;
  }

  public List<String> all(String name) {
    var values = new ArrayList<String>(1);
    for (var f : fields) {
      if (f.getKey().equalsIgnoreCase(name)) {
        values.add(f.getValue());
      }
    }
    return values;
  }

  public boolean contains(String name) {
    return first(name) != null;
  }

  /**
   * Whether a comma-separated field (Connection, Transfer-Encoding, Upgrade) lists {@code token},
   * case-insensitively, across all its lines.
   */
  public boolean hasToken(String name, String token) {
    for (var f : fields) {
      if (f.getKey().equalsIgnoreCase(name)) {
        for (String part : f.getValue().split(",")) {
          if (part.strip().equalsIgnoreCase(token)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Appends a field. */
  public Headers with(String name, String value) {
    var list = new ArrayList<>(fields);
    list.add(field(name, value));
    return new Headers(List.copyOf(list));
  }

  public Headers without(String name) {
    return new Headers(fields.stream().filter(f -> !f.getKey().equalsIgnoreCase(name)).toList());
  }

  public int size() {
    return fields.size();
  }

  public List<Map.Entry<String, String>> asList() {
    return fields;
  }

  @Override
  public Iterator<Map.Entry<String, String>> iterator() {
    return fields.iterator();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers h && h.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    var sb = new StringBuilder();
    for (var f : fields) {
      sb.append(f.getKey()).append(": ").append(f.getValue()).append("\r\n");
    }
    return sb.toString();
  }
}

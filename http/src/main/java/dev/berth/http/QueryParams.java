package dev.berth.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoded query parameters in request order, keys repeated as sent ({@code ?t=a&t=b}). A key with
 * no {@code =} has the empty value.
 */
public record QueryParams(List<Map.Entry<String, String>> entries) {
  public static final QueryParams EMPTY = new QueryParams(List.of());

  public QueryParams {
    entries = List.copyOf(entries);
  }

  /** Parses a raw query string (without the {@code ?}); {@code +} is a space. */
  public static QueryParams parse(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return EMPTY;
    }
    var list = new ArrayList<Map.Entry<String, String>>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      list.add(Map.entry(Wire.percentDecode(key, true), Wire.percentDecode(value, true)));
    }
    return new QueryParams(list);
  }

  /** The first value of {@code name}, or null. */
  public String first(String name) {
    for (var e : entries) {
      if (e.getKey().equals(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  public String first(String name, String orElse) {
    String v = first(name);
    return v == null ? orElse : v;
  }

  public List<String> all(String name) {
    var values = new ArrayList<String>();
    for (var e : entries) {
      if (e.getKey().equals(name)) {
        values.add(e.getValue());
      }
    }
    return values;
  }

  public boolean has(String name) {
    return first(name) != null;
  }

  /** Keys in first-seen order, each with its values in request order. */
  public Map<String, List<String>> asMap() {
    var map = new LinkedHashMap<String, List<String>>();
    for (var e : entries) {
      map.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }
    return map;
  }
}

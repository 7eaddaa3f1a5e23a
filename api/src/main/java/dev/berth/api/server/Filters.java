package dev.berth.api.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code filters} query parameter of the Engine API: JSON mapping each filter name to its
 * values, either as Docker writes it today ({@code {"dangling":{"true":true}}}) or as clients
 * before API 1.22 did ({@code {"dangling":["true"]}}).
 */
record Filters(Map<String, List<String>> values) {
  static final Filters NONE = new Filters(Map.of());

  Filters {
    values = Map.copyOf(values);
  }

  static Filters parse(String json) {
    if (json == null || json.isBlank()) {
      return NONE;
    }
    JsonNode root;
    try {
      root = Json.tree(json.getBytes(StandardCharsets.UTF_8), "filters", 1 << 20);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException("invalid filter: " + e.getMessage(), e);
    }
    if (!root.isObject()) {
      throw new InvalidArgumentException("invalid filter: want a JSON object, got " + json);
    }
    var map = new LinkedHashMap<String, List<String>>();
    for (var field : root.properties()) {
      var list = new ArrayList<String>();
      JsonNode v = field.getValue();
      if (v.isObject()) {
        // Docker keeps only the values mapped to true.
        v.properties().forEach(e -> {
          if (e.getValue().asBoolean()) {
            list.add(e.getKey());
          }
        });
      } else if (v.isArray()) {
        v.forEach(e -> list.add(e.asText()));
      } else {
        throw new InvalidArgumentException("invalid filter: value of '" + field.getKey() + "' is neither an object nor a list");
      }
      map.put(field.getKey(), List.copyOf(list));
    }
    return new Filters(map);
  }

  /** Refuses filter names not in {@code accepted}, with Docker's message. */
  Filters accept(Set<String> accepted) {
    for (String name : values.keySet()) {
      if (!accepted.contains(name)) {
        throw new InvalidArgumentException("invalid filter '" + name + "'");
      }
    }
    return this;
  }

  List<String> get(String name) {
    return values.getOrDefault(name, List.of());
  }

  boolean has(String name) {
    return !get(name).isEmpty();
  }

  /**
   * A boolean filter such as {@code dangling}: null when absent; {@code true} and {@code 1} are
   * true, {@code false} and {@code 0} false, anything else is refused.
   */
  Boolean bool(String name) {
    Boolean result = null;
    for (String v : get(name)) {
      boolean b = switch (v.toLowerCase(java.util.Locale.ROOT)) {
        case "true", "1" -> true;
        case "false", "0" -> false;
        default -> throw new InvalidArgumentException("invalid filter '" + name + "=" + v + "'");
      };
      result = result == null ? b : result || b;
    }
    return result;
  }

  /** These filters without {@code name}. */
  Filters without(String name) {
    var copy = new LinkedHashMap<>(values);
    copy.remove(name);
    return new Filters(copy);
  }

  /**
   * Docker's {@code MatchKVList} for {@code label}: every value, {@code key} or {@code key=value},
   * must hold in {@code labels}.
   */
  boolean matchLabels(String name, Map<String, String> labels) {
    return get(name).stream().allMatch(v -> labelMatches(v, labels));
  }

  /** Whether {@code labels} has {@code key}, or {@code key} with that value for {@code key=value}. */
  static boolean labelMatches(String keyValue, Map<String, String> labels) {
    int eq = keyValue.indexOf('=');
    String key = eq < 0 ? keyValue : keyValue.substring(0, eq);
    if (labels == null || !labels.containsKey(key)) {
      return false;
    }
    return eq < 0 || labels.get(key).equals(keyValue.substring(eq + 1));
  }
}

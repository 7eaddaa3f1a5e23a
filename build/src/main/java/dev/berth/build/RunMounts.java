package dev.berth.build;

import dev.berth.errors.InvalidArgumentException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Parses {@code RUN --mount=...} values (comma-separated {@code key=value} fields), as BuildKit's runmount does. */
final class RunMounts {
  private RunMounts() {}

  private static final List<String> TYPES = List.of("bind", "cache", "tmpfs", "secret", "ssh");

  static Instruction.RunMount parse(String value, Function<String, InvalidArgumentException> error) {
    String type = "bind";
    String target = null;
    Map<String, String> options = new LinkedHashMap<>();
    for (String field : value.split(",")) {
      if (field.isEmpty()) {
        continue;
      }
      int eq = field.indexOf('=');
      String key = (eq < 0 ? field : field.substring(0, eq)).strip().toLowerCase(java.util.Locale.ROOT);
      String v = eq < 0 ? null : field.substring(eq + 1);
      switch (key) {
        case "type" -> {
          if (v == null || !TYPES.contains(v)) {
            throw error.apply("unsupported mount type \"" + v + "\" in --mount=" + value + " (want one of " + TYPES + ")");
          }
          type = v;
        }
        case "target", "dst", "destination" -> target = v;
        case "ro", "readonly", "rw", "readwrite", "required" -> options.put(key, v == null ? "true" : v);
        case "source", "src", "from", "id", "sharing", "mode", "uid", "gid", "size", "env" -> {
          if (v == null) {
            throw error.apply("--mount field " + key + " needs a value in --mount=" + value);
          }
          options.put(key.equals("src") ? "source" : key, v);
        }
        default -> throw error.apply("unexpected key '" + key + "' in '" + field + "' of --mount=" + value);
      }
    }
    if (target == null && (type.equals("bind") || type.equals("cache") || type.equals("tmpfs"))) {
      throw error.apply("mount type " + type + " needs a target in --mount=" + value);
    }
    return new Instruction.RunMount(type, target, options);
  }
}

package dev.berth.image;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.ContainerConfig;
import dev.berth.oci.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies {@code --change} Dockerfile instructions (as {@code docker import -c} takes them) to an
 * image's container config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR.
 */
public final class ConfigChanges {
  private ConfigChanges() {}

  public static ContainerConfig apply(ContainerConfig base, List<String> changes) {
    ContainerConfig c = base;
    for (String change : changes) {
      String trimmed = change.strip();
      int sp = indexOfSpace(trimmed);
      if (sp < 0) {
        throw new InvalidArgumentException("--change \"" + change + "\": want INSTRUCTION arguments, e.g. CMD [\"sh\"]");
      }
      String instr = trimmed.substring(0, sp).toUpperCase(Locale.ROOT);
      String args = trimmed.substring(sp).strip();
      c = switch (instr) {
        case "CMD" -> with(c, "Cmd", command(args, change));
        case "ENTRYPOINT" -> with(c, "Entrypoint", command(args, change));
        case "ENV" -> with(c, "Env", env(c.env(), args, change));
        case "WORKDIR" -> with(c, "WorkingDir", args);
        case "USER" -> with(c, "User", args);
        case "STOPSIGNAL" -> with(c, "StopSignal", args);
        case "LABEL" -> with(c, "Labels", labels(c.labels(), args, change));
        case "EXPOSE" -> with(c, "ExposedPorts", ports(c.exposedPorts(), args));
        case "VOLUME" -> with(c, "Volumes", volumes(c.volumes(), args, change));
        default -> throw new InvalidArgumentException("--change \"" + change + "\": " + instr
            + " is not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR");
      };
    }
    return c;
  }

  private static int indexOfSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** JSON (exec) form as is; shell form runs through /bin/sh -c, as Docker does. */
  private static List<String> command(String args, String change) {
    if (args.startsWith("[")) {
      try {
        return Json.MAPPER.readValue(args, new TypeReference<List<String>>() {});
      } catch (Exception e) {
        throw new InvalidArgumentException("--change \"" + change + "\": malformed JSON array", e);
      }
    }
    return List.of("/bin/sh", "-c", args);
  }

  private static List<String> env(List<String> old, String args, String change) {
    Map<String, String> env = new LinkedHashMap<>();
    if (old != null) {
      for (String e : old) {
        int eq = e.indexOf('=');
        env.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
      }
    }
    pairs(args, change).forEach(env::put);
    List<String> out = new ArrayList<>();
    env.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  private static Map<String, String> labels(Map<String, String> old, String args, String change) {
    Map<String, String> m = new TreeMap<>(old == null ? Map.of() : old);
    m.putAll(pairs(args, change));
    return m;
  }

  private static Map<String, Object> ports(Map<String, Object> old, String args) {
    Map<String, Object> m = new TreeMap<>(old == null ? Map.of() : old);
    for (String p : args.split("\\s+")) {
      m.put(p.contains("/") ? p : p + "/tcp", Map.of());
    }
    return m;
  }

  private static Map<String, Object> volumes(Map<String, Object> old, String args, String change) {
    Map<String, Object> m = new TreeMap<>(old == null ? Map.of() : old);
    for (String v : args.startsWith("[") ? command(args, change) : List.of(args.split("\\s+"))) {
      m.put(v, Map.of());
    }
    return m;
  }

  /** {@code k=v k2="v 2"} or the legacy single {@code k v}. */
  private static Map<String, String> pairs(String args, String change) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!args.contains("=")) {
      int sp = indexOfSpace(args);
      if (sp < 0) {
        throw new InvalidArgumentException("--change \"" + change + "\": want KEY=VALUE");
      }
      out.put(args.substring(0, sp), args.substring(sp).strip());
      return out;
    }
    int i = 0;
    while (i < args.length()) {
      while (i < args.length() && Character.isWhitespace(args.charAt(i))) {
        i++;
      }
      int eq = args.indexOf('=', i);
      if (eq < 0) {
        if (i < args.length()) {
          throw new InvalidArgumentException("--change \"" + change + "\": want KEY=VALUE pairs");
        }
        break;
      }
      String key = args.substring(i, eq);
      StringBuilder v = new StringBuilder();
      int j = eq + 1;
      char quote = 0;
      for (; j < args.length(); j++) {
        char ch = args.charAt(j);
        if (quote != 0) {
          if (ch == quote) {
            quote = 0;
          } else if (ch == '\\' && quote == '"' && j + 1 < args.length()) {
            v.append(args.charAt(++j));
          } else {
            v.append(ch);
          }
        } else if (ch == '"' || ch == '\'') {
          quote = ch;
        } else if (Character.isWhitespace(ch)) {
          break;
        } else {
          v.append(ch);
        }
      }
      if (quote != 0) {
        throw new InvalidArgumentException("--change \"" + change + "\": unterminated quote");
      }
      out.put(key, v.toString());
      i = j;
    }
    return out;
  }

  /** Returns {@code c} with one field replaced, through the JSON form, so no field list is repeated here. */
  private static ContainerConfig with(ContainerConfig c, String field, Object value) {
    var node = Json.MAPPER.valueToTree(c);
    ((com.fasterxml.jackson.databind.node.ObjectNode) node).set(field, Json.MAPPER.valueToTree(value));
    return Json.MAPPER.convertValue(node, ContainerConfig.class);
  }
}

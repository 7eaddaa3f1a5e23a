package dev.berth.build;

import dev.berth.errors.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** EXPOSE values ({@code 80}, {@code 80/udp}, {@code 8000-8002/tcp}) as {@code port/proto} keys, as BuildKit parses them. */
final class Ports {
  private Ports() {}

  static List<String> parse(String raw) {
    String[] parts = raw.split(":", -1);
    String container = parts[parts.length - 1];
    int slash = container.indexOf('/');
    String port = slash < 0 ? container : container.substring(0, slash);
    String proto = slash < 0 ? "" : container.substring(slash + 1);
    if (port.isEmpty()) {
      throw new InvalidArgumentException("invalid port: \"" + raw + "\": no port specified");
    }
    proto = switch (proto.toLowerCase(Locale.ROOT)) {
      case "" -> "tcp";
      case "tcp", "udp", "sctp" -> proto.toLowerCase(Locale.ROOT);
      default -> throw new InvalidArgumentException("invalid port: \"" + raw + "\": invalid proto: " + proto);
    };
    int dash = port.indexOf('-');
    int start = number(dash < 0 ? port : port.substring(0, dash), raw);
    int end = dash < 0 ? start : number(port.substring(dash + 1), raw);
    if (end < start) {
      throw new InvalidArgumentException("invalid containerPort: " + port);
    }
    List<String> out = new ArrayList<>();
    for (int p = start; p <= end; p++) {
      out.add(p + "/" + proto);
    }
    return out;
  }

  private static int number(String s, String raw) {
    try {
      int n = Integer.parseInt(s);
      if (n < 0 || n > 65535) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("invalid containerPort: " + s + " (in EXPOSE " + raw + ")");
    }
  }
}

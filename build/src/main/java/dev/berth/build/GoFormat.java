package dev.berth.build;

import java.util.List;

/** Go's fmt verbs as BuildKit's history strings use them: {@code %q} and {@code %v} of string slices. */
final class GoFormat {
  private GoFormat() {}

  /** {@code %q} of a []string: {@code ["/bin/sh" "-c" "echo hi"]}. */
  static String quotedList(List<String> items) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(quote(items.get(i)));
    }
    return b.append(']').toString();
  }

  /** {@code %v} of a []string: {@code [/data /logs]}. */
  static String list(List<String> items) {
    return "[" + String.join(" ", items) + "]";
  }

  /** Go's strconv.Quote for the characters Dockerfiles hold. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.codePoints().forEach(c -> {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        case 0x07 -> b.append("\\a");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        case 0x0b -> b.append("\\v");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", c));
          } else {
            b.appendCodePoint(c);
          }
        }
      }
    });
    return b.append('"').toString();
  }
}

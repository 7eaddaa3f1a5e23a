package dev.berth.http;

import java.nio.charset.StandardCharsets;

/**
 * Turns a failed request into a response body. Pluggable because each API has its own error
 * shape: the Docker Engine API wants {@code {"message": "..."}}, the registry API wants {@code
 * {"errors": [{"code": ..., "message": ...}]}}.
 */
@FunctionalInterface
public interface ErrorRenderer {
  /**
   * @param status the status that will be sent
   * @param message what went wrong, for people
   * @param error the exception thrown, or null for protocol errors found by the server itself
   */
  Rendered render(int status, String message, Throwable error);

  record Rendered(String contentType, byte[] body) {}

  /** {@code {"message":"..."}}, as the Docker Engine API answers errors. */
  ErrorRenderer JSON_MESSAGE =
      (status, message, error) ->
          new Rendered(
              "application/json",
              ("{\"message\":" + jsonString(message) + "}\n").getBytes(StandardCharsets.UTF_8));

  /** A JSON string literal; here only so the default renderer needs no JSON library. */
  static String jsonString(String s) {
    var sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}

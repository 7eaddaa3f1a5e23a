package dev.berth.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.berth.oci.Json;
import java.io.IOException;

/**
 * JSON indented as docker's {@code inspect} prints it (Go's {@code json.MarshalIndent} of the raw
 * answer with 4 spaces): keys and numbers as the daemon sent them, {@code "key": value}, empty
 * containers as {@code []} and {@code {}}, and {@code < > &} escaped as {@code \u003c} and so on.
 */
final class JsonOut {
  private JsonOut() {}

  static String indent(byte[] json) throws IOException {
    var sb = new StringBuilder(json.length * 2);
    try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
      if (p.nextToken() == null) {
        return "";
      }
      write(p, sb, 0);
    }
    return sb.toString();
  }

  /** Writes the value at the current token, leaving the parser on its last token. */
  private static void write(JsonParser p, StringBuilder sb, int depth) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT, START_ARRAY -> {
        boolean object = t == JsonToken.START_OBJECT;
        JsonToken end = object ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
        sb.append(object ? '{' : '[');
        boolean empty = true;
        JsonToken next;
        while ((next = p.nextToken()) != end) {
          sb.append(empty ? "" : ",").append('\n').repeat("    ", depth + 1);
          empty = false;
          if (object) {
            string(p.currentName(), sb);
            sb.append(": ");
            p.nextToken();
          }
          write(p, sb, depth + 1);
          if (next == null) {
            throw new IOException("truncated JSON");
          }
        }
        if (!empty) {
          sb.append('\n').repeat("    ", depth);
        }
        sb.append(object ? '}' : ']');
      }
      case VALUE_STRING -> string(p.getText(), sb);
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> sb.append(p.getText());
      case VALUE_TRUE -> sb.append("true");
      case VALUE_FALSE -> sb.append("false");
      case VALUE_NULL -> sb.append("null");
      default -> throw new IOException("unexpected JSON token " + t);
    }
  }

  /** A JSON string with Go's escaping (HTML-safe, U+2028/2029 escaped). */
  static void string(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            sb.append("\\u").append(String.format("%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}

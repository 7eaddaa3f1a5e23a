package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.berth.http.HttpClient;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * Prints a stream of docker's JSON messages (load, import) line by line as they arrive, as
 * docker's {@code jsonmessage} does: {@code stream} text as is, {@code status} lines with their
 * {@code id:} prefix, an {@code error} ending the command. On a terminal a progress bar redraws
 * its line; elsewhere progress updates are left out so logs stay readable.
 */
final class Progress {
  private Progress() {}

  /** Shows the answer: JSON messages if it is a JSON stream, else its bytes as they are. */
  static void show(HttpClient.Response res, PrintStream out, boolean terminal) throws IOException {
    try (res) {
      String type = res.header("Content-Type");
      if (type != null && type.startsWith("application/json")) {
        show(res.body(), out, terminal);
      } else {
        res.body().transferTo(out);
      }
    }
  }

  static void show(InputStream in, PrintStream out, boolean terminal) throws IOException {
    boolean barShown = false;
    try (MappingIterator<JsonNode> it = Json.MAPPER.readerFor(JsonNode.class).readValues(in)) {
      while (it.hasNextValue()) {
        JsonNode m = it.nextValue();
        String error = m.path("errorDetail").path("message").asText(m.path("error").asText(""));
        if (!error.isEmpty()) {
          if (barShown) {
            out.println();
          }
          throw new CliException(error);
        }
        boolean hasBar = m.hasNonNull("progressDetail") && m.get("progressDetail").has("total")
            || !m.path("progress").asText("").isEmpty();
        if (hasBar && !terminal) {
          continue;
        }
        if (terminal) {
          // Redraw the line the last bar was on rather than scroll.
          out.print(barShown ? "\r\033[2K" : "");
        }
        var line = new StringBuilder();
        if (!m.path("id").asText("").isEmpty()) {
          line.append(m.get("id").asText()).append(": ");
        }
        if (!m.path("from").asText("").isEmpty()) {
          line.append("(from ").append(m.get("from").asText()).append(") ");
        }
        if (hasBar) {
          line.append(m.path("status").asText("")).append(' ').append(bar(m));
          out.print(line);
          barShown = true;
        } else if (!m.path("stream").asText("").isEmpty()) {
          out.print(line.append(m.get("stream").asText()));
          barShown = false;
        } else {
          out.println(line.append(m.path("status").asText("")));
          barShown = false;
        }
        out.flush();
      }
    }
    if (barShown) {
      out.println();
    }
  }

  private static String bar(JsonNode m) {
    String pre = m.path("progress").asText("");
    if (!pre.isEmpty()) {
      return pre;
    }
    JsonNode d = m.path("progressDetail");
    return Units.size(d.path("current").asLong()) + "/" + Units.size(d.path("total").asLong());
  }
}

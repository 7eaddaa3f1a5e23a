package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Docker's {@code --format} for lists: {@code table ...} renders a header row and aligns columns,
 * anything else renders each row as is; {@code json} is {@code {{json .}}}; {@code \t} and {@code
 * \n} written literally in the format are a tab and a newline.
 */
final class Formats {
  private Formats() {}

  static String render(String format, Map<String, String> headers, List<JsonNode> rows) {
    if (format.equals("json")) {
      format = "{{json .}}";
    }
    boolean table = format.startsWith("table");
    String body = table ? format.substring("table".length()) : format;
    body = strip(body).replace("\\t", "\t").replace("\\n", "\n");
    Template row = Template.parse(body, true);
    var sb = new StringBuilder();
    if (table) {
      var header = Template.parse(body, false).render(headerNode(headers));
      sb.append(header.replace("<no value>", "")).append('\n');
    }
    for (JsonNode r : rows) {
      sb.append(row.render(r)).append('\n');
    }
    return table ? TableWriter.format(sb.toString()) : sb.toString();
  }

  /** Docker trims spaces only, so a format may start or end with a tab. */
  private static String strip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && s.charAt(a) == ' ') {
      a++;
    }
    while (b > a && s.charAt(b - 1) == ' ') {
      b--;
    }
    return s.substring(a, b);
  }

  private static JsonNode headerNode(Map<String, String> headers) {
    var node = dev.berth.oci.Json.MAPPER.createObjectNode();
    headers.forEach(node::put);
    return node;
  }

  /** Docker's {@code --filter key=value} list as the API's {@code {"key":{"value":true}}}. */
  static String filters(List<String> filters) {
    var root = dev.berth.oci.Json.MAPPER.createObjectNode();
    for (String f : filters) {
      int eq = f.indexOf('=');
      if (eq <= 0) {
        throw new CliException(BerthCli.USAGE_ERROR, "bad format of filter (expected name=value): " + f);
      }
      String key = f.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
      var values = root.get(key) instanceof ObjectNode o ? o : root.putObject(key);
      values.put(f.substring(eq + 1).strip(), true);
    }
    return dev.berth.oci.Json.writeString(root);
  }
}

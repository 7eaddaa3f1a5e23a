package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth image inspect} and {@code berth inspect} (images only for now): a JSON array of the
 * daemon's answers indented as docker indents it, or one line per image with {@code --format}.
 * Names that fail are reported after the others are printed, and make the exit status 1.
 */
@Command(name = "inspect", description = "Return low-level information on images")
final class InspectCommand extends BaseCommand {
  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "Format output with a Go template, or 'json'")
  String format;

  @Option(names = "--type", paramLabel = "TYPE", description = "Only 'image' for now")
  String type;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<String> names;

  @Override
  public Integer call() throws IOException {
    if (type != null && !type.equals("image")) {
      throw new CliException(BerthCli.USAGE_ERROR, "\"" + type + "\" is not a valid value for --type (only image for now)");
    }
    List<byte[]> found = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (String name : names) {
      try {
        found.add(engine().bytes("GET", "/images/" + Engine.name(name) + "/json"));
      } catch (DaemonException e) {
        errors.add(e.status() == 404 ? "Error: No such image: " + name : e.getMessage());
      }
    }
    if (format == null || format.equals("json")) {
      var array = new ByteArrayOutputStream();
      array.write('[');
      for (int i = 0; i < found.size(); i++) {
        if (i > 0) {
          array.write(',');
        }
        array.write(found.get(i));
      }
      array.write(']');
      out().println(JsonOut.indent(array.toByteArray()));
    } else {
      Template t = Template.parse(format, false);
      for (byte[] raw : found) {
        JsonNode node = Json.tree(raw, "image inspect answer", Integer.MAX_VALUE);
        out().println(t.render(node));
      }
    }
    if (!errors.isEmpty()) {
      throw new CliException(String.join("\n", errors));
    }
    return 0;
  }
}

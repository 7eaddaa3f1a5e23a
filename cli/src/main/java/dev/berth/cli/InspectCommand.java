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
 * {@code berth inspect}, {@code berth image inspect}, {@code berth container inspect}: a JSON
 * array of the daemon's answers indented as docker indents it, or one line per object with {@code
 * --format}. Without {@code --type} a name is looked up as a container, then as an image, as
 * docker does. Names that fail are reported after the others are printed, and make the exit
 * status 1.
 */
@Command(name = "inspect", description = "Return low-level information on containers, images and volumes")
final class InspectCommand extends BaseCommand {
  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "Format output with a Go template, or 'json'")
  String format;

  @Option(names = "--type", paramLabel = "TYPE", description = "Only inspect objects of the given type: container, image or volume")
  String type;

  @Option(names = {"-s", "--size"}, description = "Display total file sizes if the type is container")
  boolean size;

  @Parameters(arity = "1..*", paramLabel = "NAME|ID")
  List<String> names;

  /** {@code berth image inspect}: images only, as docker's. */
  InspectCommand imagesOnly() {
    this.type = "image";
    return this;
  }

  /** {@code berth container inspect}: containers only, as docker's. */
  InspectCommand containersOnly() {
    this.type = "container";
    return this;
  }

  @Override
  public Integer call() throws IOException {
    if (type != null && !List.of("image", "container", "volume").contains(type)) {
      throw new CliException(BerthCli.USAGE_ERROR, "\"" + type + "\" is not a valid value for --type");
    }
    List<byte[]> found = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (String name : names) {
      byte[] answer = null;
      for (String kind : type == null ? List.of("container", "image") : List.of(type)) {
        try {
          answer = engine().bytes("GET", switch (kind) {
            case "container" -> "/containers/" + Engine.name(name) + "/json" + (size ? "?size=1" : "");
            case "volume" -> "/volumes/" + Engine.name(name);
            default -> "/images/" + Engine.name(name) + "/json";
          });
          break;
        } catch (DaemonException e) {
          if (e.status() != 404) {
            errors.add(e.getMessage());
            answer = new byte[0];
            break;
          }
        }
      }
      if (answer == null) {
        errors.add(type == null ? "Error: No such object: " + name : "Error: No such " + type + ": " + name);
      } else if (answer.length > 0) {
        found.add(answer);
      }
    }
    print(this, found, format, "inspect answer");
    if (!errors.isEmpty()) {
      throw new CliException(String.join("\n", errors));
    }
    return 0;
  }

  /** A JSON array of the answers indented as docker indents it, or one line per answer with {@code --format}. */
  static void print(BaseCommand cmd, List<byte[]> found, String format, String what) throws IOException {
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
      cmd.out().println(JsonOut.indent(array.toByteArray()));
    } else {
      Template t = Template.parse(format, false);
      for (byte[] raw : found) {
        JsonNode node = Json.tree(raw, what, Integer.MAX_VALUE);
        cmd.out().println(t.render(node));
      }
    }
  }
}

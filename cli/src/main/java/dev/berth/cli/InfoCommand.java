package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth info}: the daemon's {@code GET /info}, laid out as docker lays out its fields. */
@Command(name = "info", description = "Display system-wide information")
final class InfoCommand extends BaseCommand {
  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "Format the output with a Go template, or 'json'")
  String format;

  @Override
  public Integer call() throws IOException {
    JsonNode info = engine().json("GET", "/info");
    if (format != null) {
      String f = format.equals("json") ? "{{json .}}" : format;
      out().println(Template.parse(f, false).render(info));
      return 0;
    }
    out().print(InfoText.text(info, cli().endpoint().toString()));
    return 0;
  }
}

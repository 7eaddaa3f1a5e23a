package dev.berth.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Json;
import java.util.Locale;

/** {@code --platform os/arch[/variant]} as the API wants it for load and save (1.48+): OCI platform JSON. */
final class Platforms {
  private Platforms() {}

  static String json(String text) {
    String[] parts = text.toLowerCase(Locale.ROOT).split("/");
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new CliException(BerthCli.USAGE_ERROR, "invalid platform \"" + text + "\": want os/arch[/variant]");
    }
    // Field order of Go's ocispec.Platform, which docker's client marshals.
    ObjectNode p = Json.MAPPER.createObjectNode().put("architecture", parts[1]).put("os", parts[0]);
    if (parts.length == 3) {
      p.put("variant", parts[2]);
    }
    return Json.writeString(p);
  }
}

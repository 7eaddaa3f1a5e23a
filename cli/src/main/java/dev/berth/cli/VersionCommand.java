package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth version}: the client's version, then the server's if a daemon answers. It never
 * starts a daemon, and with {@code --client} never touches the socket: the client part is printed
 * without loading JSON or HTTP classes, so it costs little more than the JVM's start.
 */
@Command(name = "version", description = "Show the berth version information")
final class VersionCommand extends BaseCommand {
  @Option(names = "--client", description = "Show the client version only; do not contact the daemon")
  boolean clientOnly;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "Format the output with a Go template")
  String format;

  @Override
  public Integer call() throws IOException {
    if (format != null) {
      return Server.formatted(this);
    }
    out().print(clientText());
    if (clientOnly) {
      return 0;
    }
    out().flush();
    return Server.print(this);
  }

  static String arch() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  static String os() {
    return System.getProperty("os.name").toLowerCase(Locale.ROOT);
  }

  private static String clientText() {
    return "Client:\n"
        + " Version:           " + BerthCli.version() + "\n"
        + " API version:       " + Engine.API_VERSION + "\n"
        + " Java version:      " + Runtime.version() + "\n"
        + " OS/Arch:           " + os() + "/" + arch() + "\n";
  }

  /**
   * The part that talks to the daemon, in a class of its own so that {@code version --client}
   * never loads it (nor Jackson, nor the HTTP client).
   */
  private static final class Server {
    /** Connects without starting a daemon, as docker's version does. */
    private static Engine connect(VersionCommand cmd) throws IOException {
      Endpoint endpoint = cmd.cli().endpoint();
      var engine = new Engine(endpoint);
      try {
        engine.ping();
        return engine;
      } catch (IOException e) {
        engine.close();
        throw BerthCli.cannotConnect(endpoint, e);
      }
    }

    static int print(VersionCommand cmd) throws IOException {
      JsonNode v;
      try (Engine engine = connect(cmd)) {
        v = engine.json("GET", "/version");
      }
      cmd.out().print("\n" + text(v));
      return 0;
    }

    static String text(JsonNode v) {
      var sb = new StringBuilder("Server:");
      String platform = v.path("Platform").path("Name").asText("");
      sb.append(platform.isEmpty() ? "" : " " + platform).append('\n');
      JsonNode components = v.path("Components");
      if (components.isEmpty()) {
        components = Json.MAPPER.createArrayNode().add(engineComponent(v));
      }
      for (JsonNode c : components) {
        String name = c.path("Name").asText();
        JsonNode d = c.path("Details");
        sb.append(' ').append(name).append(":\n");
        if (name.equals("Engine")) {
          line(sb, "Version:", c.path("Version").asText());
          line(sb, "API version:", d.path("ApiVersion").asText() + " (minimum version " + d.path("MinAPIVersion").asText() + ")");
          for (String[] kv : List.of(
              new String[] {"Go version:", "GoVersion"},
              new String[] {"Java version:", "JavaVersion"},
              new String[] {"Git commit:", "GitCommit"},
              new String[] {"Built:", "BuildTime"})) {
            if (d.has(kv[1])) {
              line(sb, kv[0], d.path(kv[1]).asText());
            }
          }
          line(sb, "OS/Arch:", d.path("Os").asText() + "/" + d.path("Arch").asText());
          line(sb, "Experimental:", d.path("Experimental").asText("false"));
        } else {
          line(sb, "Version:", c.path("Version").asText());
          var keys = new ArrayList<String>();
          d.fieldNames().forEachRemaining(keys::add);
          keys.sort(null);
          for (String k : keys) {
            line(sb, k + ":", d.path(k).asText());
          }
        }
      }
      return sb.toString();
    }

    private static void line(StringBuilder sb, String label, String value) {
      sb.append("  ").append(label).repeat(' ', Math.max(1, 18 - label.length())).append(value).append('\n');
    }

    private static JsonNode engineComponent(JsonNode v) {
      ObjectNode c = Json.MAPPER.createObjectNode().put("Name", "Engine").put("Version", v.path("Version").asText());
      c.set("Details", v);
      return c;
    }

    static int formatted(VersionCommand cmd) throws IOException {
      ObjectNode data = Json.MAPPER.createObjectNode();
      ObjectNode client = data.putObject("Client");
      client.put("Version", BerthCli.version()).put("ApiVersion", Engine.API_VERSION)
          .put("JavaVersion", Runtime.version().toString()).put("Os", os()).put("Arch", arch());
      CliException failure = null;
      if (!cmd.clientOnly) {
        try (Engine engine = connect(cmd)) {
          data.set("Server", engine.json("GET", "/version"));
        } catch (CliException e) {
          failure = e;
        }
      }
      cmd.out().println(Template.parse(cmd.format, false).render(data));
      if (failure != null) {
        throw failure;
      }
      return 0;
    }
  }
}

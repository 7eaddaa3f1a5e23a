package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth volume create|ls|inspect|rm|prune}: named volumes. */
@Command(name = "volume", description = "Manage volumes", synopsisSubcommandLabel = "COMMAND")
final class VolumeCommand extends BaseCommand {
  static void register(CommandLine volume) {
    volume.addSubcommand("create", new Create());
    volume.addSubcommand("ls", new Ls(), "list");
    volume.addSubcommand("inspect", new Inspect());
    volume.addSubcommand("rm", new Rm(), "remove");
    volume.addSubcommand("prune", new Prune());
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return 0;
  }

  @Command(name = "create", description = "Create a volume")
  static final class Create extends BaseCommand {
    @Option(names = "--name", paramLabel = "NAME", description = "Specify volume name") String name;
    @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", description = "Specify volume driver name (default \"local\")") String driver = "local";
    @Option(names = {"-o", "--opt"}, paramLabel = "KEY=VALUE", description = "Set driver specific options") List<String> opts = new ArrayList<>();
    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set metadata for a volume") List<String> labels = new ArrayList<>();
    @Parameters(arity = "0..1", paramLabel = "VOLUME") String positional;

    @Override
    public Integer call() throws IOException {
      if (name != null && positional != null && !name.equals(positional)) {
        throw new CliException(BerthCli.USAGE_ERROR, "conflicting options: either specify --name or provide positional arg, not both");
      }
      var b = Json.MAPPER.createObjectNode();
      b.put("Name", name != null ? name : positional == null ? "" : positional);
      b.put("Driver", driver);
      var o = b.putObject("DriverOpts");
      for (String kv : opts) {
        int eq = kv.indexOf('=');
        o.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      }
      var l = b.putObject("Labels");
      for (String kv : labels) {
        int eq = kv.indexOf('=');
        l.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      }
      byte[] body = Json.write(b);
      try (var res = engine().send("POST", "/volumes/create", out -> out.write(body), "application/json")) {
        out().println(Json.tree(res.bytes(), "volume", 1 << 20).path("Name").asText());
      }
      return 0;
    }
  }

  @Command(name = "ls", description = "List volumes")
  static final class Ls extends BaseCommand {
    static final Map<String, String> HEADERS = Map.of("Driver", "DRIVER", "Name", "VOLUME NAME", "Mountpoint", "MOUNTPOINT",
        "Scope", "SCOPE", "Labels", "LABELS", "Links", "LINKS", "Size", "SIZE");
    @Option(names = {"-q", "--quiet"}, description = "Only display volume names") boolean quiet;
    @Option(names = {"-f", "--filter"}, paramLabel = "FILTER", description = "Provide filter values (e.g. \"dangling=true\")") List<String> filters = new ArrayList<>();
    @Option(names = "--format", paramLabel = "FORMAT", description = "Format output: 'table', 'table TEMPLATE', 'json', or a Go template") String format;

    @Override
    public Integer call() throws IOException {
      var q = new Engine.Query().addIf(!filters.isEmpty(), "filters", filters.isEmpty() ? "" : Formats.filters(filters));
      JsonNode list = engine().json("GET", "/volumes" + q);
      List<JsonNode> rows = new ArrayList<>();
      for (JsonNode v : list.path("Volumes")) {
        var r = Json.MAPPER.createObjectNode();
        r.put("Driver", v.path("Driver").asText());
        r.put("Name", v.path("Name").asText());
        r.put("Mountpoint", v.path("Mountpoint").asText());
        r.put("Scope", v.path("Scope").asText());
        var labels = new ArrayList<String>();
        v.path("Labels").properties().forEach(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
        r.put("Labels", String.join(",", labels));
        r.put("Links", "N/A");
        r.put("Size", "N/A");
        rows.add(r);
      }
      String f = format == null || format.equals("table") ? (quiet ? "{{.Name}}" : "table {{.Driver}}\t{{.Name}}") : format;
      out().print(Formats.render(f, HEADERS, rows));
      return 0;
    }
  }

  @Command(name = "inspect", description = "Display detailed information on one or more volumes")
  static final class Inspect extends BaseCommand {
    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "Format output using a Go template") String format;
    @Parameters(arity = "1..*", paramLabel = "VOLUME") List<String> names;

    @Override
    public Integer call() throws IOException {
      List<byte[]> found = new ArrayList<>();
      List<String> errors = new ArrayList<>();
      for (String n : names) {
        try {
          found.add(engine().bytes("GET", "/volumes/" + Engine.name(n)));
        } catch (DaemonException e) {
          errors.add(e.getMessage());
        }
      }
      InspectCommand.print(this, found, format, "volume inspect answer");
      if (!errors.isEmpty()) {
        throw new CliException(String.join("\n", errors));
      }
      return 0;
    }
  }

  @Command(name = "rm", description = "Remove one or more volumes")
  static final class Rm extends BaseCommand {
    @Option(names = {"-f", "--force"}, description = "Force the removal of one or more volumes") boolean force;
    @Parameters(arity = "1..*", paramLabel = "VOLUME") List<String> names;

    @Override
    public Integer call() throws IOException {
      Engine e = engine();
      return ContainerVerbs.each(this, names, n -> {
        try (var res = e.send("DELETE", "/volumes/" + Engine.name(n) + (force ? "?force=1" : ""))) {
          res.bytes();
        }
      });
    }
  }

  @Command(name = "prune", description = "Remove unused local volumes")
  static final class Prune extends BaseCommand {
    @Option(names = {"-a", "--all"}, description = "Remove all unused volumes, not just anonymous ones") boolean all;
    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation") boolean force;
    @Option(names = "--filter", paramLabel = "FILTER", description = "Provide filter values (e.g. \"label=<label>\")") List<String> filters = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      if (!force && !Prompts.confirm(this, all ? "WARNING! This will remove all local volumes not used by at least one container."
          : "WARNING! This will remove anonymous local volumes not used by at least one container.")) {
        return 0;
      }
      List<String> f = new ArrayList<>(filters);
      if (all) {
        f.add("all=true");
      }
      var q = new Engine.Query().addIf(!f.isEmpty(), "filters", f.isEmpty() ? "" : Formats.filters(f));
      JsonNode report = engine().json("POST", "/volumes/prune" + q);
      var sb = new StringBuilder();
      if (report.path("VolumesDeleted").isArray() && !report.path("VolumesDeleted").isEmpty()) {
        sb.append("Deleted Volumes:\n");
        report.path("VolumesDeleted").forEach(n -> sb.append(n.asText()).append('\n'));
        sb.append('\n');
      }
      sb.append("Total reclaimed space: ").append(Units.size(report.path("SpaceReclaimed").asLong())).append('\n');
      out().print(sb);
      return 0;
    }
  }
}

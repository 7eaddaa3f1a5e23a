package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth logs}: a container's stdout to stdout and stderr to stderr. */
@Command(name = "logs", description = "Fetch the logs of a container")
final class LogsCommand extends BaseCommand {
  @Option(names = {"-f", "--follow"}, description = "Follow log output") boolean follow;
  @Option(names = {"-t", "--timestamps"}, description = "Show timestamps") boolean timestamps;
  @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Number of lines to show from the end of the logs (default \"all\")") String tail;
  @Option(names = "--since", paramLabel = "TIME", description = "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)") String since;
  @Option(names = "--until", paramLabel = "TIME", description = "Show logs before a timestamp or relative") String until;
  @Option(names = "--details", description = "Show extra details provided to logs") boolean details;

  @Parameters(index = "0", paramLabel = "CONTAINER")
  String container;

  @Override
  public Integer call() throws IOException {
    JsonNode c = engine().json("GET", "/containers/" + ContainerVerbs.path(container) + "/json");
    boolean tty = c.path("Config").path("Tty").asBoolean();
    var q = new Engine.Query().add("stdout", "1").add("stderr", "1").addIf(follow, "follow", "1")
        .addIf(timestamps, "timestamps", "1").addIf(tail != null, "tail", String.valueOf(tail))
        .addIf(since != null, "since", time(since)).addIf(until != null, "until", time(until));
    try (var res = engine().send("GET", "/containers/" + ContainerVerbs.path(container) + "/logs" + q)) {
      ContainerClient.relay(res.body(), tty, out(), err());
    }
    return 0;
  }

  /** Docker's CLI sends Unix seconds: RFC 3339 times and durations ({@code 10m}) are converted here. */
  static String time(String s) {
    if (s == null) {
      return null;
    }
    if (s.matches("\\d+(\\.\\d+)?")) {
      return s;
    }
    var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(s);
    if (s.matches("(\\d+(ms|s|m|h))+")) {
      long millis = 0;
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        millis += switch (m.group(2)) {
          case "ms" -> n;
          case "s" -> n * 1000;
          case "m" -> n * 60_000;
          default -> n * 3_600_000;
        };
      }
      Instant t = Instant.now().minusMillis(millis);
      return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    }
    try {
      Instant t = OffsetDateTime.parse(s).toInstant();
      return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    } catch (java.time.format.DateTimeParseException e) {
      throw new CliException(BerthCli.USAGE_ERROR, "invalid value for time \"" + s + "\": want an RFC 3339 time, Unix seconds or a duration like 10m");
    }
  }
}

package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth registry}: wired into the CLI, needs no daemon, reports bad configs. */
class RegistryCommandTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    var streams = new Streams(InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, false);
    int code = BerthCli.run(streams, Map.of("BERTH_AUTOSTART", "0"), args);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void registryWithoutASubcommandShowsUsage() {
    var r = run("registry");
    assertEquals(BerthCli.USAGE_ERROR, r.code());
    assertTrue(r.out().contains("serve"), r.out());
  }

  @Test
  void serveReportsAMissingOrBadConfigWithoutStartingAnything() throws Exception {
    var missing = run("registry", "serve", "--config", dir.resolve("nope.yml").toString());
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("registry config " + dir.resolve("nope.yml") + " does not exist"), missing.err());
    Path bad = dir.resolve("bad.yml");
    Files.writeString(bad, "listen: 127.0.0.1:0\n");
    var invalid = run("registry", "serve", "-c", bad.toString());
    assertEquals(1, invalid.code());
    assertTrue(invalid.err().contains("storage.root is required"), invalid.err());
  }
}

package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.testing.tools.TempDirs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The server as users run it: a process reading a YAML file, stopped by SIGTERM. And bad configs. */
class ServeProcessTest {
  Path dir;

  @BeforeEach
  void setUp() {
    dir = TempDirs.create("registry-serve-");
  }

  @AfterEach
  void tearDown() {
    TempDirs.deleteTree(dir);
  }

  @Test
  void servesFromAConfigFileAndStopsGracefullyOnSigterm() throws Exception {
    Path config = dir.resolve("registry.yml");
    Files.writeString(config, """
        # a comment
        listen: 127.0.0.1:0
        storage:
          root: data
          delete: false
        uploads:
          expiry: 1h
        gc:
          interval: 30m
          grace: 15m
        log:
          access: access.log
        """);
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RegistryServer.class.getName(), config.toString())
        .redirectErrorStream(true).start();
    try {
      var out = new BufferedReader(new InputStreamReader(p.getInputStream()));
      String line = out.readLine();
      var m = Pattern.compile("serving http://(127\\.0\\.0\\.1:\\d+) from (\\S+)").matcher(String.valueOf(line));
      assertTrue(m.find(), line);
      assertEquals(dir.resolve("data").toString(), m.group(2), "relative paths are relative to the config file");
      var http = new Http("http://" + m.group(1));
      assertEquals(200, http.get("/v2/").status());
      assertEquals(405, http.delete("/v2/a/manifests/t").status(), "storage.delete: false");
      p.toHandle().destroy(); // SIGTERM, leaving our end of its output open
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      assertEquals(143, p.exitValue(), "the JVM's status after SIGTERM");
      String rest = String.join("\n", out.lines().toList());
      assertTrue(rest.contains("berth registry: stopped"), "the shutdown ran to its end: " + rest);
      assertTrue(Files.readString(dir.resolve("access.log")).contains("GET /v2/ 200"));
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void badConfigsNameTheKeyAndTheProblem() {
    assertProblem("storage.root is required", "listen: 127.0.0.1:5000\n");
    assertProblem("unknown key storage.rot", "storage:\n  rot: /x\n");
    assertProblem("gc.grace: invalid duration \"soon\"", "storage:\n  root: /x\ngc:\n  grace: soon\n");
    assertProblem("listen: invalid port", "listen: 127.0.0.1:http\nstorage:\n  root: /x\n");
    assertProblem("auth.access[0].actions: unknown action \"write\"",
        "storage:\n  root: /x\nauth:\n  htpasswd: h\n  access:\n    - account: a\n      actions: [write]\n");
    assertProblem("malformed YAML", "storage: [\n");
    assertProblem("storage.delete: want true or false", "storage:\n  root: /x\n  delete: maybe\n");
    var ok = RegistryConfig.parse("storage:\n  root: /x\ngc:\n  interval: 0\n  grace: 90s\n", dir);
    assertEquals(Duration.ZERO, ok.gcInterval());
    assertEquals(Duration.ofSeconds(90), ok.gcGrace());
    assertTrue(ok.deleteEnabled());
  }

  private void assertProblem(String expected, String yaml) {
    Executable parse = () -> RegistryConfig.parse(yaml, dir);
    var e = org.junit.jupiter.api.Assertions.assertThrows(InvalidArgumentException.class, parse);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}

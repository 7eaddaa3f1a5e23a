package dev.berth.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stock docker CLI (28.2, API 1.50) and curl against berth's API: what users will actually run. */
class DockerCliTest {
  private static final Path DOCKER = DockerCli.DOCKER;
  private ApiServerFixture api;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Files.isExecutable(DOCKER), "docker CLI not installed at " + DOCKER);
    api = new ApiServerFixture();
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  private ProcessResult docker(String... args) {
    return api.cli().run(args);
  }

  private String ok(String... args) {
    return api.cli().ok(args);
  }

  @Test
  void versionAndInfo() {
    String version = ok("version");
    assertTrue(version.contains("API version:      1.50 (minimum version 1.24)"), version);
    assertTrue(version.contains("Server: berth"), version);
    String info = ok("info");
    assertTrue(info.contains("Storage Driver: overlayfs"), info);
    assertTrue(info.contains("Docker Root Dir: " + api.root), info);
    assertTrue(info.contains("Default Runtime: runc"), info);
    assertEquals("1.50", ok("version", "--format", "{{.Server.APIVersion}}").strip());
  }

  @Test
  void importListInspectTagHistorySaveLoadRemovePrune() throws Exception {
    String id = ok("import", api.busyboxTar().toString(), "busybox:latest").strip();
    assertTrue(id.matches("sha256:[0-9a-f]{64}"), id);
    String shortId = id.substring(7, 19);

    assertEquals("busybox:latest " + shortId, ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").strip());
    assertEquals(id, ok("image", "inspect", "--format", "{{.Id}}", "busybox").strip());
    assertEquals("Imported from -", ok("image", "inspect", "--format", "{{.Comment}}", "busybox").strip());

    ok("tag", "busybox", "localhost:5000/team/bb:v1");
    assertEquals(List.of("busybox:latest " + shortId, "localhost:5000/team/bb:v1 " + shortId),
        ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").lines().sorted().toList());
    assertEquals("busybox:latest", ok("images", "--filter", "reference=busy*", "--format", "{{.Repository}}:{{.Tag}}").strip());

    String history = ok("history", "--format", "{{.ID}} {{.Comment}}", "busybox");
    assertEquals(shortId + " Imported from -", history.strip());

    Path saved = api.dir.resolve("saved.tar");
    ok("save", "-o", saved.toString(), "busybox", "localhost:5000/team/bb:v1");
    assertTrue(Files.size(saved) > 1_000_000, "the archive holds the busybox layer");

    String rmi = ok("rmi", "localhost:5000/team/bb:v1", "busybox");
    assertEquals(List.of("Untagged: localhost:5000/team/bb:v1", "Untagged: busybox:latest", "Deleted: " + id), rmi.lines().toList());
    assertEquals("", ok("images", "-q").strip());

    String load = ok("load", "-i", saved.toString());
    assertEquals(List.of("Loaded image: busybox:latest", "Loaded image: localhost:5000/team/bb:v1"), load.lines().toList());
    assertEquals(id, ok("image", "inspect", "--format", "{{.Id}}", "localhost:5000/team/bb:v1").strip(),
        "docker save output loads back with the same ID");

    String dangling = ok("import", api.variantTar().toString()).strip();
    String prune = ok("image", "prune", "-f");
    assertTrue(prune.contains("deleted: " + dangling), prune);
    assertTrue(prune.contains("Total reclaimed space:"), prune);
    assertEquals(shortId, ok("images", "-q").lines().distinct().findFirst().orElse(""));

    String pruneAll = ok("image", "prune", "-a", "-f");
    assertTrue(pruneAll.contains("untagged: busybox:latest"), pruneAll);
    assertTrue(pruneAll.contains("deleted: " + id), pruneAll);
    assertEquals("", ok("images", "-q").strip());
  }

  @Test
  void importWithChangesAndMessage() {
    ok("import", "-c", "CMD [\"/bin/sh\"]", "-c", "ENV A=b", "-m", "made here", api.busyboxTar().toString(), "bb:1");
    assertEquals("[/bin/sh] [A=b] made here",
        ok("image", "inspect", "--format", "{{.Config.Cmd}} {{.Config.Env}} {{.Comment}}", "bb:1").strip());
  }

  @Test
  void missingImagesSayNoSuchImage() {
    for (List<String> args : List.of(List.of("image", "inspect", "nope"), List.of("rmi", "nope"),
        List.of("history", "nope"), List.of("tag", "nope", "other"), List.of("save", "-o", "x.tar", "nope"))) {
      ProcessResult r = docker(args.toArray(String[]::new));
      assertFalse(r.ok(), args::toString);
      assertTrue(r.err().contains("No such image: nope"), () -> args + ": " + r.err());
    }
  }

  @Test
  void curlOverTheUnixSocket() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "no curl");
    ProcessResult ping = Command.of("curl", "-sS", "-i", "--unix-socket", api.socket.toString(), "http://localhost/_ping").run();
    assertTrue(ping.out().startsWith("HTTP/1.1 200 OK"), ping.out());
    assertTrue(ping.out().contains("Api-Version: 1.50"), ping.out());
    assertTrue(ping.out().endsWith("OK"), ping.out());
    ProcessResult tooNew = Command.of("curl", "-sS", "--unix-socket", api.socket.toString(), "http://localhost/v1.99/info").run();
    assertEquals("{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.50\"}", tooNew.out().strip());
    ProcessResult head = Command.of("curl", "-sS", "-I", "--unix-socket", api.socket.toString(), "http://localhost/_ping").run();
    assertTrue(head.out().contains("Builder-Version: 1"), head.out());
  }
}

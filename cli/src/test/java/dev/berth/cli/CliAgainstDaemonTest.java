package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.Daemon;
import dev.berth.testing.rootfs.RootfsTar;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import dev.berth.cli.BerthCliTestSupport.Result;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's commands run in-process against a real berthd on a temp socket and root. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliAgainstDaemonTest {
  @TempDir static Path tmp;
  static Daemon daemon;
  static Path socket;
  static Path rootfs;
  static String id;


  @BeforeAll
  static void startDaemon() throws Exception {
    socket = tmp.resolve("run/berth.sock");
    daemon = Daemon.start(new Daemon.Config(tmp.resolve("root"), List.of("unix://" + socket), null, false));
    rootfs = tmp.resolve("rootfs.tar");
    RootfsTar.writeFiles(Map.of("etc/hello", "hello\n".getBytes(StandardCharsets.UTF_8),
        "bin/tool", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8)), rootfs);
  }

  @AfterAll
  static void stopDaemon() {
    if (daemon != null) {
      daemon.close();
    }
  }

  static Result run(InputStream in, boolean terminal, String... args) {
    // No auto-start: if this daemon is gone, the test must fail rather than start another.
    return BerthCliTestSupport.run("unix://" + socket, Map.of("BERTH_AUTOSTART", "0"), in, terminal, args);
  }

  static Result run(String... args) {
    return run(InputStream.nullInputStream(), false, args);
  }

  static Result ok(String... args) {
    return BerthCliTestSupport.succeeded(run(args), args);
  }

  @Test
  @Order(1)
  void versionAndInfo() {
    Result v = ok("version");
    assertTrue(v.out().startsWith("Client:\n Version:"), v.out());
    assertTrue(v.out().contains("\nServer:"), v.out());
    assertTrue(v.out().contains(" Engine:\n  Version:"), v.out());
    assertEquals("1.50", ok("version", "--format", "{{.Client.ApiVersion}}").out().strip());
    Result info = ok("info");
    assertTrue(info.out().contains("\nServer:\n"), info.out());
    assertTrue(info.out().contains(" Images: 0\n"), info.out());
  }

  @Test
  @Order(2)
  void importPrintsTheNewImageId() {
    Result r = ok("import", "-m", "first import", "-c", "CMD [\"/bin/tool\"]", rootfs.toString(), "app:v1");
    id = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
    assertTrue(id.matches("sha256:[0-9a-f]{64}"), r.out());
  }

  @Test
  @Order(3)
  void imagesListsItAsDockerDoes() {
    Result r = ok("images");
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE"), lines.get(0));
    assertTrue(lines.get(1).matches("app +v1 +" + id.substring(7, 19) + " +(Less than a second|\\d+ seconds?) ago +\\d+(\\.\\d+)?k?B"),
        lines.get(1));
    assertEquals(id.substring(7, 19) + "\n", ok("images", "-q").out());
    assertEquals("app:v1\n", ok("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").out());
    assertEquals(id + "\n", ok("images", "--no-trunc", "--format", "{{.ID}}").out());
    assertTrue(ok("images", "--format", "json").out().startsWith("{\"Containers\":"));
    Result bad = run("images", "--format", "{{.Nope}}");
    assertEquals(1, bad.code());
    assertTrue(bad.err().contains("can't evaluate field Nope"), bad.err());
  }

  @Test
  @Order(4)
  void tagHistoryAndInspect() {
    assertEquals("", ok("tag", "app:v1", "localhost:5000/team/app").out());
    assertEquals("app:v1\nlocalhost:5000/team/app:latest\n",
        ok("images", "--format", "{{.Repository}}:{{.Tag}}").out().lines().sorted().map(l -> l + "\n")
            .reduce("", String::concat));

    Result h = ok("history", "app:v1");
    assertTrue(h.out().lines().findFirst().orElseThrow().matches("IMAGE +CREATED +CREATED BY +SIZE +COMMENT"), h.out());
    assertTrue(h.out().contains("first import"), h.out());
    assertTrue(ok("history", "-q", "app:v1").out().startsWith(id.substring(7, 19)));

    Result i = ok("image", "inspect", "app:v1");
    assertTrue(i.out().startsWith("[\n    {\n        \"Id\": \"" + id + "\",\n"), i.out());
    assertEquals(id + "\n", ok("inspect", "--format", "{{.Id}}", "app:v1").out());
    assertEquals("[\"/bin/tool\"]\n", ok("image", "inspect", "-f", "{{json .Config.Cmd}}", "app:v1").out());

    Result missing = run("image", "inspect", "app:v1", "nope");
    assertEquals(1, missing.code());
    assertTrue(missing.out().startsWith("[\n    {"), missing.out());
    assertEquals("Error: No such image: nope\n", missing.err());
  }

  @Test
  @Order(5)
  void saveRemoveLoad() throws Exception {
    Path tar = tmp.resolve("app.tar");
    ok("save", "-o", tar.toString(), "app:v1");
    byte[] bytes = Files.readAllBytes(tar);
    assertTrue(bytes.length > 1024 && bytes.length % 512 == 0, "a tar of " + bytes.length + " bytes");

    Result tty = run(InputStream.nullInputStream(), true, "save", "app:v1");
    assertEquals(1, tty.code());
    assertEquals("cowardly refusing to save to a terminal. Use the -o flag or redirect\n", tty.err());

    assertEquals("Untagged: localhost:5000/team/app:latest\n", ok("rmi", "localhost:5000/team/app").out());
    Result rmi = ok("image", "rm", "app:v1");
    assertTrue(rmi.out().startsWith("Untagged: app:v1\nDeleted: " + id + "\n"), rmi.out());
    assertEquals("", ok("images", "-q").out());

    Result load = ok("load", "-i", tar.toString());
    assertTrue(load.out().contains("Loaded image: app:v1\n"), load.out());
    ok("rmi", "app:v1");
    // From stdin, as `berth load < app.tar`.
    Result stdin = run(new ByteArrayInputStream(bytes), false, "load");
    assertEquals(0, stdin.code(), stdin.err());
    assertTrue(stdin.out().contains("Loaded image: app:v1\n"), stdin.out());
  }

  @Test
  @Order(6)
  void errorsAndUsage() {
    Result rmi = run("rmi", "nope:latest");
    assertEquals(1, rmi.code());
    assertTrue(rmi.err().startsWith("Error response from daemon: "), rmi.err());
    assertTrue(rmi.err().toLowerCase().contains("no such image"), rmi.err());

    Result flag = run("images", "--bogus");
    assertEquals(125, flag.code());
    assertTrue(flag.err().contains("Unknown option: '--bogus'") && flag.err().contains("See 'berth images --help'."),
        flag.err());
    assertEquals(125, run("tag", "only-one").code());

    Result noSocket = BerthCliTestSupport.runWithHost("unix://" + tmp.resolve("none.sock"), Map.of("BERTH_AUTOSTART", "0"),
        "images");
    assertEquals(1, noSocket.code());
    assertTrue(noSocket.err().startsWith("Cannot connect to the berth daemon at unix://"), noSocket.err());
  }

  @Test
  @Order(7)
  void pruneAsksUnlessForced() {
    Result refused = run("image", "prune", "-a");
    assertEquals(1, refused.code());
    assertTrue(refused.err().contains("use -f"), refused.err());

    Result declined = run(new ByteArrayInputStream("n\n".getBytes(StandardCharsets.UTF_8)), true, "image", "prune", "-a");
    assertEquals(0, declined.code());
    assertTrue(declined.out().startsWith("WARNING! This will remove all images without at least one container"));
    assertEquals(id.substring(7, 19) + "\n", ok("images", "-q").out());

    Result pruned = ok("image", "prune", "-a", "-f");
    assertTrue(pruned.out().startsWith("Deleted Images:\nuntagged: app:v1\ndeleted: " + id + "\n"), pruned.out());
    assertTrue(pruned.out().lines().reduce((a, b) -> b).orElseThrow().matches("Total reclaimed space: \\d+(\\.\\d+)?k?B"),
        pruned.out());
    assertEquals("", ok("images", "-q").out());
  }
}

package dev.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Json;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.ProcessResult;
import dev.berth.testing.tools.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled distribution as a user runs it: {@code bin/berth} starts {@code bin/berthd} on
 * first use, with a state root and socket of the test's own, then drives images end to end.
 */
class DistributionTest {
  static final Path HOME = Path.of("..", "dist", "target", "berth").toAbsolutePath().normalize();
  @TempDir static Path dir;
  static Path root;
  static Path socket;

  @BeforeAll
  static void paths() {
    assertTrue(Files.isExecutable(HOME.resolve("bin/berth")), "dist not assembled at " + HOME);
    root = dir.resolve("root");
    socket = dir.resolve("berth.sock");
  }

  @AfterAll
  static void stopDaemon() throws Exception {
    Path pidfile = root.resolve("berthd.pid");
    if (Files.exists(pidfile)) {
      long pid = Long.parseLong(Files.readString(pidfile).strip());
      ProcessHandle.of(pid).ifPresent(p -> {
        p.destroy();
        p.onExit().orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join();
      });
    }
  }

  static ProcessResult berth(String... args) {
    List<String> argv = new ArrayList<>(List.of(HOME.resolve("bin/berth").toString()));
    argv.addAll(List.of(args));
    return Command.of(argv).withEnv("BERTH_ROOT", root.toString()).withEnv("BERTH_HOST", "unix://" + socket).run();
  }

  @Test
  void importShowLoadLayoutDirectoryAndSave() throws Exception {
    assertFalse(Files.exists(socket));
    ProcessResult version = berth("version", "--client");
    assertEquals(0, version.exitCode(), version.err());
    assertFalse(Files.exists(socket), "version --client must not start a daemon");

    Path rootfs = dir.resolve("busybox.tar");
    BusyboxRootfs.create(dir.resolve("rootfs")).writeTar(rootfs);
    ProcessResult imported = berth("import", "--change", "CMD [\"sh\"]", rootfs.toString(), "busybox:latest").checked();
    assertTrue(imported.err().contains("started berthd"), imported.err());
    assertTrue(imported.out().strip().startsWith("sha256:"), imported.out());
    String id = imported.out().strip();

    String images = berth("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").checked().out();
    assertEquals("busybox:latest " + id.substring(7, 19), images.strip());
    JsonNode inspect = Json.tree(berth("image", "inspect", "busybox").checked().out().getBytes(), "inspect", 1 << 20);
    assertEquals(id, inspect.get(0).get("Id").asText());
    assertEquals("sh", inspect.get(0).get("Config").get("Cmd").get(0).asText());

    // save, then skopeo turns the archive into an OCI layout directory, which berth loads back.
    Path saved = dir.resolve("saved.tar");
    berth("save", "-o", saved.toString(), "busybox").checked();
    Path layout = dir.resolve("layout");
    try (Skopeo skopeo = Skopeo.create()) {
      skopeo.copy("oci-archive:" + saved + ":latest", "oci:" + layout + ":v2");
    }
    berth("rmi", "busybox").checked();
    String loaded = berth("load", "-i", layout.toString()).checked().out();
    assertTrue(loaded.contains("Loaded image ID: " + id), loaded);
    assertTrue(berth("images", "-q").checked().out().contains(id.substring(7, 19)));
  }
}

package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.tools.Tools;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** gVisor through conmon, logs included (runsc is in install-deps.sh). */
class RunscTest {
  @Test
  void runscRunsBusyboxWithLogs() throws Exception {
    Tools.requireTool("runsc");
    try (var fx = new RuntimeFixture()) {
      var id = fx.id("gvisor");
      fx.runtime.create(id, fx.spec("sh", "-c", "echo hello from gvisor; dmesg | head -1; exit 6"),
          CreateOptions.defaults().withRuntime("runsc"));
      fx.runtime.start(id);
      var st = fx.runtime.waitExit(id, Duration.ofSeconds(60)).orElseThrow();
      assertEquals(6, st.exitCode());
      var log = Files.readString(st.logPath());
      assertTrue(log.contains("stdout F hello from gvisor"), log);
      assertTrue(log.contains("gVisor"), log);
      fx.runtime.delete(id, false);
    }
  }
}

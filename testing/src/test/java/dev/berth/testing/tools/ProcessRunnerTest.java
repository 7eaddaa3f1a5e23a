package dev.berth.testing.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {

  @Test
  void capturesBothStreamsAndTheExitCode() {
    var r = Command.of("sh", "-c", "echo out; echo err >&2; exit 3").run();
    assertEquals(3, r.exitCode());
    assertEquals("out\n", r.out());
    assertEquals("err\n", r.err());
    assertFalse(r.ok());
  }

  @Test
  void checkedNamesTheCommandAndItsStderr() {
    var e = assertThrows(CommandFailedException.class,
        () -> Command.of("sh", "-c", "echo broken pipe dream >&2; exit 1").checked());
    assertTrue(e.getMessage().startsWith("sh -c 'echo broken pipe dream >&2; exit 1': exit 1"), e.getMessage());
    assertTrue(e.getMessage().contains("stderr: broken pipe dream"), e.getMessage());
    assertEquals(1, e.result().exitCode());
  }

  @Test
  void feedsStdinAndPassesEnvironment() {
    var r = Command.of("sh", "-c", "cat; echo $GREETING")
        .withEnv("GREETING", "hi")
        .withInput("piped\n".getBytes(StandardCharsets.UTF_8))
        .checked();
    assertEquals("piped\nhi\n", r.out());
  }

  @Test
  void outputLargerThanAPipeBufferDoesNotDeadlock() {
    var r = Command.of("sh", "-c", "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2").checked();
    assertEquals(1_000_000, r.out().length());
    assertEquals(1_000_000, r.err().length());
  }

  @Test
  void aCommandPastItsTimeoutIsKilled() {
    long start = System.nanoTime();
    var e = assertThrows(CommandFailedException.class,
        () -> Command.of("sleep", "30").withTimeout(Duration.ofMillis(300)).run());
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
  }

  @Test
  void aMissingProgramFailsWithItsName() {
    var e = assertThrows(CommandFailedException.class, () -> Command.of("/nonexistent/berth-tool").run());
    assertTrue(e.getMessage().startsWith("/nonexistent/berth-tool: cannot start"), e.getMessage());
  }

  @Test
  void requireToolSaysHowToInstall() {
    var e = assertThrows(AssertionError.class, () -> Tools.requireTool("no-such-tool-berth"));
    assertEquals("no-such-tool-berth not installed: run scripts/install-deps.sh", e.getMessage());
    assertTrue(Tools.has("sh"));
  }
}

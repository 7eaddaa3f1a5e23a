package dev.berth.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The reader against a real conmon writing a real container's output (runc, busybox), and the
 * rotator asking that conmon to reopen its log through its ctl FIFO.
 */
class RealConmonTest {
  static final String SCRIPT = "echo out; echo err >&2; printf partial; sleep 0.3; echo ' done';"
      + " i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); done;"
      + " head -c 20000 /dev/zero | tr '\\0' y; echo;"
      + " sleep 1.5; echo after-rotate; echo bye >&2";

  @Test
  void followsARealContainerAcrossARotation() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/conmon")) && Files.isExecutable(Path.of("/usr/sbin/runc")),
        "needs conmon and runc");
    Path dir = TempDirs.create("berth-logs-");
    String id = "berth-logtest-" + ProcessHandle.current().pid();
    Path runcRoot = dir.resolve("runc");
    try {
      Path bundle = dir.resolve("bundle");
      BusyboxRootfs.create(bundle.resolve("rootfs"));
      Command.of("runc", "spec", "-b", bundle.toString()).checked();
      String config = Files.readString(bundle.resolve("config.json"))
          .replace("\"terminal\": true", "\"terminal\": false")
          .replace("\"path\": \"rootfs\"", "\"path\": \"" + bundle.resolve("rootfs") + "\"");
      Matcher args = Pattern.compile("\"args\": \\[[^\\]]*\\]").matcher(config);
      config = args.replaceFirst(Matcher.quoteReplacement(
          "\"args\": [\"sh\", \"-c\", \"" + SCRIPT.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]"));
      Files.writeString(bundle.resolve("config.json"), config);
      Path exits = Files.createDirectories(dir.resolve("exits"));
      Files.createDirectories(dir.resolve("sock")); // conmon links its attach socket there
      Path log = bundle.resolve("ctr.log");

      Command.of("conmon", "--api-version", "1", "-c", id, "-u", id, "-r", "/usr/sbin/runc",
          "--runtime-arg", "--root", "--runtime-arg", runcRoot.toString(),
          "-b", bundle.toString(), "-p", bundle.resolve("pidfile").toString(), "-n", id,
          "--exit-dir", exits.toString(), "--socket-dir-path", dir.resolve("sock").toString(),
          "-l", "k8s-file:" + log, "--conmon-pidfile", bundle.resolve("conmon.pid").toString())
          .withTimeout(Duration.ofSeconds(30)).checked();
      // conmon detaches at once; the container exists once runc create wrote its pid file.
      long created = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!Files.exists(bundle.resolve("pidfile")) && !Files.exists(exits.resolve(id)) && System.nanoTime() < created) {
        Thread.sleep(10);
      }
      assertTrue(Files.exists(bundle.resolve("pidfile")), "runc create under conmon made the container");
      Command.of("runc", "--root", runcRoot.toString(), "start", id).checked();

      List<LogRecord> got = Collections.synchronizedList(new ArrayList<>());
      Thread follower = Thread.ofVirtual().start(() -> {
        try {
          LogReader.of(log).follow(LogQuery.all(), got::add, () -> Files.exists(exits.resolve(id)));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      // Once the burst is out, rotate while the container sleeps: conmon reopens on request.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (got.stream().noneMatch(r -> r.text().startsWith("yyyy")) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      var rotator = new LogRotator(log, new LogOptions(1024, 3), new ConmonLogReopener(bundle));
      assertTrue(rotator.rotateIfNeeded(), "the log is past 1 KiB");
      follower.join(Duration.ofSeconds(15));
      assertFalse(follower.isAlive(), "follow ends when conmon has written the exit file");

      List<String> texts = got.stream().map(r -> r.stream().id() + ":" + r.text()).toList();
      assertEquals("stdout:out\n", texts.get(0));
      assertTrue(texts.contains("stderr:err\n"), texts.toString());
      assertTrue(texts.contains("stdout:partial done\n"), "partial pieces rejoined: " + texts.subList(0, 4));
      for (int i = 0; i < 300; i++) {
        assertTrue(texts.contains("stdout:line " + i + "\n"), "line " + i);
      }
      String big = texts.stream().filter(t -> t.startsWith("stdout:yyy")).findFirst().orElseThrow();
      assertEquals(20000 + "stdout:".length() + 1, big.length(), "a 20000-byte line, split by conmon, comes back whole");
      assertEquals(List.of("stdout:after-rotate\n", "stderr:bye\n"), texts.subList(texts.size() - 2, texts.size()));
      assertTrue(Files.exists(LogReader.rotatedPath(log, 1)));
      assertTrue(Files.readString(log).contains("after-rotate"), "conmon writes into the new file");
      assertFalse(Files.readString(LogReader.rotatedPath(log, 1)).contains("after-rotate"));
      assertTrue(Files.readString(LogReader.rotatedPath(log, 1)).contains(" P yyyy"), "conmon split the long line");
      assertEquals(texts, LogReader.of(log).read(LogQuery.all()).stream().map(r -> r.stream().id() + ":" + r.text()).toList(),
          "reading the rotated files and the log gives what follow gave");
      assertEquals("0", Files.readString(exits.resolve(id)).strip());
    } finally {
      Command.of("runc", "--root", runcRoot.toString(), "delete", "-f", id).run();
      TempDirs.delete(dir);
    }
  }
}

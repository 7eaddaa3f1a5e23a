package dev.berth.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.http.HttpClient;
import dev.berth.testing.tools.ProcessResult;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stock docker CLI on berthd: log rotation and follow across it, logs kept across restarts,
 * per-container and per-daemon runtimes, OOM kills and limits in the cgroup, TTY resizes.
 */
class DockerCliRuntimesLogsTest {
  private static final Pattern LINE = Pattern.compile("line (\\d+)");
  private ContainerApiFixture api;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Files.isExecutable(ContainerApiFixture.DOCKER), "docker CLI not installed");
    api = new ContainerApiFixture();
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  private String ok(String... args) {
    return api.cli().ok(args);
  }

  /** The numbers of "line N" in order; asserts they follow each other without a gap. */
  private static List<Integer> consecutiveLines(String text) {
    List<Integer> numbers = new ArrayList<>();
    for (String l : text.split("\n")) {
      Matcher m = LINE.matcher(l);
      if (m.matches()) {
        numbers.add(Integer.parseInt(m.group(1)));
      }
    }
    for (int i = 1; i < numbers.size(); i++) {
      assertEquals(numbers.get(i - 1) + 1, numbers.get(i), "a gap or reordering after line " + numbers.get(i - 1));
    }
    return numbers;
  }

  private Path bundle(String id) {
    return api.root.resolve("runtime").resolve("containers").resolve(id);
  }

  private List<Path> logFiles(String id) throws Exception {
    try (var files = Files.list(bundle(id))) {
      return files.filter(f -> f.getFileName().toString().startsWith("ctr.log")).sorted().toList();
    }
  }

  @Test
  void logsRotateAndFollowKeepsUpAcrossRotations() throws Exception {
    // The container waits for /tmp/go, so that the follower is in place before the flood.
    String id = ok("run", "-d", "--name", "chatty", "--log-opt", "max-size=1k", "--log-opt", "max-file=3", "busybox",
        "sh", "-c", "echo ready; while [ ! -e /tmp/go ]; do sleep 0.05; done;"
            + " for i in $(seq 1 400); do echo line $i; sleep 0.005; done").strip();
    var logsF = api.dockerCommand("logs", "-f", "chatty");
    var pb = new ProcessBuilder(logsF.argv()).directory(logsF.dir().toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(logsF.env());
    Process follower = pb.start();
    follower.getOutputStream().close();
    var followed = new ByteArrayOutputStream();
    InputStream out = follower.getInputStream();
    byte[] ready = "ready\n".getBytes(StandardCharsets.UTF_8);
    assertEquals("ready\n", new String(out.readNBytes(ready.length), StandardCharsets.UTF_8));
    ok("exec", "chatty", "touch", "/tmp/go");
    out.transferTo(followed);
    assertEquals(0, follower.waitFor(), "logs -f ends when the container does");
    assertEquals("0", ok("wait", "chatty").strip());

    List<Integer> all = consecutiveLines(followed.toString(StandardCharsets.UTF_8));
    assertEquals(1, all.getFirst(), "the follower saw the output from its start");
    assertEquals(400, all.getLast(), "the follower kept following across rotations to the end");

    List<Path> files = logFiles(id);
    assertTrue(files.size() >= 2 && files.size() <= 3, () -> "log files: " + files);
    assertTrue(files.contains(bundle(id).resolve("ctr.log.1")), () -> "log files: " + files);
    List<Integer> kept = consecutiveLines(ok("logs", "chatty"));
    assertEquals(400, kept.getLast(), "logs shows the newest lines");
    assertTrue(kept.getFirst() > 1, "the oldest lines were rotated away, " + kept.size() + " lines kept");
    assertEquals("line 400\n", ok("logs", "--tail", "1", "chatty"));

    ProcessResult bad = api.docker("run", "--rm", "--log-opt", "max-size=lots", "busybox", "true");
    assertNotEquals(0, bad.exitCode());
    assertTrue(bad.err().contains("max-size=lots"), bad.err());
  }

  @Test
  void rotationResumesAfterADaemonRestart() throws Exception {
    Path signals = Files.createDirectory(api.dir.resolve("signals"));
    String id = ok("run", "-d", "--name", "survivor", "-v", signals + ":/sig", "--log-opt", "max-size=1k",
        "--log-opt", "max-file=2", "busybox", "sh", "-c",
        "while [ ! -e /sig/go ]; do sleep 0.05; done; for i in $(seq 1 300); do echo line $i; sleep 0.005; done").strip();
    api.containers.shutdown(); // berthd goes away; conmon keeps the container and its log
    var again = dev.berth.engine.container.ContainerService.open(api.root, api.images, api.cgroupParent);
    try {
      again.recover();
      Files.createFile(signals.resolve("go"));
      assertEquals(0, again.await(id, dev.berth.engine.container.ContainerService.WaitCondition.NOT_RUNNING).get()
          .state().exitCode());
      List<Path> files = logFiles(id);
      assertTrue(files.contains(bundle(id).resolve("ctr.log.1")) && files.size() <= 2, () -> "log files: " + files);
      var kept = new StringBuilder();
      for (var r : dev.berth.logs.LogReader.of(again.logPath(id)).read(dev.berth.logs.LogQuery.all())) {
        kept.append(new String(r.render(false), StandardCharsets.UTF_8));
      }
      List<Integer> lines = consecutiveLines(kept.toString());
      assertEquals(300, lines.getLast());
      assertTrue(lines.getFirst() > 1, "rotated by the new daemon");
      again.remove(id, true, false);
    } finally {
      again.shutdown();
    }
  }

  @Test
  void restartsAppendToTheLog() throws Exception {
    ok("run", "-d", "--name", "again", "busybox", "sh", "-c", "echo run");
    assertEquals("0", ok("wait", "again").strip());
    ok("restart", "again");
    assertEquals("0", ok("wait", "again").strip());
    assertEquals("run\nrun\n", ok("logs", "again"));

    ok("run", "-d", "--name", "retry", "--restart", "on-failure:2", "busybox", "sh", "-c", "echo try; exit 1");
    String state = "";
    for (int i = 0; i < 200 && !state.equals("exited 2"); i++) {
      Thread.sleep(50);
      state = ok("inspect", "-f", "{{.State.Status}} {{.RestartCount}}", "retry").strip();
    }
    assertEquals("exited 2", state);
    assertEquals("try\ntry\ntry\n", ok("logs", "retry"));
    ok("rm", "again", "retry");
    assertTrue(api.mounts().isEmpty(), () -> "mounts left: " + api.mounts());
  }

  @Test
  void runtimesPerContainerAndInInfo() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/runsc")) || Files.isExecutable(Path.of("/usr/sbin/runsc")),
        "runsc not installed");
    assertEquals("hi\n", ok("run", "--runtime", "runsc", "--rm", "busybox", "echo", "hi"));
    ProcessResult both = api.docker("run", "--runtime", "runsc", "--name", "sandboxed", "busybox",
        "sh", "-c", "echo out; echo err >&2; exit 3");
    assertEquals(3, both.exitCode(), both::err);
    assertEquals("out\n", both.out());
    assertEquals("err\n", both.err());
    ProcessResult logs = api.docker("logs", "sandboxed");
    assertEquals("out\n", logs.out());
    assertEquals("err\n", logs.err());
    assertEquals("runsc", ok("inspect", "-f", "{{.HostConfig.Runtime}}", "sandboxed").strip());
    // gVisor's kernel introduces itself in dmesg; the host's does not.
    assertTrue(ok("run", "--rm", "--runtime", "runsc", "busybox", "dmesg").contains("gVisor"));
    ok("rm", "sandboxed");

    ProcessResult crun = api.docker("run", "--runtime", "crun", "--rm", "busybox", "true");
    assertNotEquals(0, crun.exitCode());
    assertTrue(crun.err().contains("with crun") && crun.err().contains("cgroups in hybrid mode not supported"), crun.err());
    assertEquals("", ok("ps", "-aq").strip(), "the --rm container that could not start is gone");
    ProcessResult noCommand = api.docker("run", "--rm", "busybox", "nope-not-here");
    assertEquals(127, noCommand.exitCode(), noCommand::err);
    assertEquals("", ok("ps", "-aq").strip());

    assertEquals("runc", ok("info", "--format", "{{.DefaultRuntime}}").strip());
    String runtimes = ok("info", "--format", "{{range $name, $r := .Runtimes}}{{$name}}={{$r.Path}} {{end}}");
    assertTrue(runtimes.matches("crun=/\\S+/crun runc=/\\S+/runc runsc=/\\S+/runsc \n"), runtimes);
    ProcessResult info = api.docker("info");
    assertEquals(0, info.exitCode(), info::err);
    String shown = info.out() + info.err();
    assertTrue(shown.contains("Default Runtime: runc"), shown);
    assertTrue(shown.contains("Default runtime: runc is the fastest runtime that works here"), shown);
    assertTrue(shown.contains("hybrid"), "why crun is not it: " + shown);
  }

  @Test
  void daemonDefaultRuntime() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/runsc")) || Files.isExecutable(Path.of("/usr/sbin/runsc")),
        "runsc not installed");
    api.close();
    api = new ContainerApiFixture("runsc");
    assertEquals("runsc", ok("info", "--format", "{{.DefaultRuntime}}").strip());
    ProcessResult info = api.docker("info");
    assertTrue((info.out() + info.err()).contains("Default runtime: runsc is the configured default runtime"),
        info.out() + info.err());
    assertTrue(ok("run", "--rm", "busybox", "dmesg").contains("gVisor"), "runs under runsc without --runtime");
  }

  @Test
  void oomKilledAndLimitsInTheCgroup() throws Exception {
    ProcessResult oom = api.docker("run", "--name", "hog", "--memory", "16m", "--memory-swap", "16m", "busybox",
        "sh", "-c", "x=$(head -c 100000000 /dev/zero | tr '\\0' a)");
    assertEquals(137, oom.exitCode(), oom::err);
    assertEquals("true 137", ok("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "hog").strip());

    String id = ok("run", "-d", "--pids-limit", "20", "--cpus", "0.5", "busybox", "sleep", "1000").strip();
    Path cgroupV1 = Path.of("/sys/fs/cgroup");
    Path pids = cgroupV1.resolve("pids").resolve(api.cgroupParent).resolve(id).resolve("pids.max");
    Path quota = cgroupV1.resolve("cpu").resolve(api.cgroupParent).resolve(id).resolve("cpu.cfs_quota_us");
    Path period = cgroupV1.resolve("cpu").resolve(api.cgroupParent).resolve(id).resolve("cpu.cfs_period_us");
    assumeTrue(Files.exists(pids) && Files.exists(quota), "not a cgroup v1 host");
    assertEquals("20", Files.readString(pids).strip());
    long q = Long.parseLong(Files.readString(quota).strip());
    long p = Long.parseLong(Files.readString(period).strip());
    assertEquals(0.5, (double) q / p, 1e-9);
    // The limit holds inside: forks beyond it fail.
    ProcessResult forks = api.docker("exec", id, "sh", "-c", "for i in $(seq 1 30); do sleep 5 & done; wait");
    assertTrue(forks.err().contains("fork") || forks.out().contains("fork"), forks.err() + forks.out());
    ok("rm", "-f", id, "hog");
    assertTrue(api.cgroups().isEmpty(), () -> "cgroups left: " + api.cgroups());
  }

  @Test
  void resizeReachesTheTerminal() throws Exception {
    ok("run", "-d", "-t", "--name", "term", "busybox", "sleep", "1000");
    try (var client = HttpClient.unix(api.socket)) {
      var r = client.request("POST", "/containers/term/resize?h=33&w=101").send();
      assertEquals(200, r.status(), r.text());
      r.close();
      assertEquals("33 101\n", ok("exec", "term", "sh", "-c", "stty size < /proc/1/fd/0"));

      var create = client.request("POST", "/containers/term/exec")
          .header("Content-Type", "application/json")
          .body(("{\"Cmd\":[\"sh\",\"-c\",\"echo ready; while [ ! -e /tmp/go ]; do sleep 0.05; done; stty size\"],"
              + "\"Tty\":true,\"AttachStdout\":true,\"AttachStderr\":true}").getBytes(StandardCharsets.UTF_8)).send();
      String created = create.text();
      assertEquals(201, create.status(), created);
      String execId = created.replaceAll("(?s).*\"Id\"\\s*:\\s*\"([0-9a-f]+)\".*", "$1");
      try (var streaming = HttpClient.unix(api.socket)) {
        var started = streaming.request("POST", "/exec/" + execId + "/start")
            .header("Content-Type", "application/json")
            .body("{\"Detach\":false,\"Tty\":true}".getBytes(StandardCharsets.UTF_8)).send();
        assertEquals(200, started.status());
        InputStream body = started.body();
        var seen = new StringBuilder();
        while (!seen.toString().contains("ready")) {
          int b = body.read();
          assertNotEquals(-1, b, "exec output ended early: " + seen);
          seen.append((char) b);
        }
        var resized = client.request("POST", "/exec/" + execId + "/resize?h=21&w=77").send();
        assertEquals(200, resized.status(), resized.text());
        resized.close();
        ok("exec", "term", "touch", "/tmp/go");
        String rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(rest.contains("21 77"), rest);
        started.close();
      }
      var bad = client.request("POST", "/containers/term/resize?h=x&w=1").send();
      assertEquals(400, bad.status());
      assertTrue(bad.text().contains("h=x"));
      bad.close();
    }
    ok("rm", "-f", "term");
  }
}

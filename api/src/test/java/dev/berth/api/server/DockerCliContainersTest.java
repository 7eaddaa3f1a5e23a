package dev.berth.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.testing.tools.ProcessResult;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stock docker CLI running containers on berthd. */
class DockerCliContainersTest {
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

  @Test
  void createStartWaitInspectRemove() {
    String id = ok("create", "--name", "hello", "busybox", "sh", "-c", "exit 3").strip();
    assertTrue(id.matches("[0-9a-f]{64}"), id);
    assertEquals("created", ok("inspect", "-f", "{{.State.Status}}", "hello").strip());
    ok("start", "hello");
    assertEquals("3", ok("wait", "hello").strip());
    assertEquals("exited 3 false", ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}", "hello").strip());
    String ps = ok("ps", "-a", "--format", "{{.Names}} {{.Status}}");
    assertTrue(ps.startsWith("hello Exited (3)"), ps);
    ok("rm", "hello");
    assertEquals("", ok("ps", "-aq").strip());
    assertTrue(api.mounts().isEmpty(), () -> "mounts left: " + api.mounts());
    assertTrue(api.cgroups().isEmpty(), () -> "cgroups left: " + api.cgroups());
  }

  @Test
  void runAttachedRmAndDetached() {
    assertEquals("hello from berth\n", ok("run", "--rm", "busybox", "echo", "hello from berth"));
    assertEquals("", ok("ps", "-aq").strip(), "--rm removed it");

    ProcessResult failing = api.docker("run", "--name", "fails", "busybox", "sh", "-c", "echo out; echo err >&2; exit 7");
    assertEquals(7, failing.exitCode(), failing::err);
    assertEquals("out\n", failing.out());
    assertEquals("err\n", failing.err());

    String id = ok("run", "-d", "--name", "sleeper", "-l", "team=a", "busybox", "sleep", "1000").strip();
    assertEquals("sleeper true", ok("inspect", "-f", "{{.Name}} {{.State.Running}}", id).strip().substring(1));
    assertEquals("sleeper", ok("ps", "--filter", "label=team=a", "--format", "{{.Names}}").strip());
    assertEquals("fails", ok("ps", "-a", "--filter", "exited=7", "--format", "{{.Names}}").strip());
    String top = ok("top", "sleeper");
    assertTrue(top.contains("sleep 1000"), top);
    assertEquals("inside\n", ok("exec", "sleeper", "echo", "inside"));
    ProcessResult exit5 = api.docker("exec", "sleeper", "sh", "-c", "exit 5");
    assertEquals(5, exit5.exitCode());
    // sleep as pid 1 ignores SIGTERM: stop falls back to SIGKILL after -t.
    ok("stop", "-t", "1", "sleeper");
    assertEquals("exited 137", ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "sleeper").strip());
    // With --init, tini forwards SIGTERM and the container exits of it.
    ok("run", "-d", "--init", "--name", "inited", "busybox", "sleep", "1000");
    ok("stop", "inited");
    assertEquals("exited 143", ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "inited").strip());
    ok("rm", "sleeper", "fails", "inited");
    assertTrue(api.mounts().isEmpty(), () -> "mounts left: " + api.mounts());
    assertTrue(api.cgroups().isEmpty(), () -> "cgroups left: " + api.cgroups());
  }

  @Test
  void logsFollowKillAndCommandNotFound() throws Exception {
    ok("run", "-d", "--name", "ticker", "busybox", "sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.2; done");
    assertEquals("line 1\nline 2\nline 3\n", ok("logs", "-f", "ticker"));
    assertEquals("line 3\n", ok("logs", "--tail", "1", "ticker"));

    ok("run", "-d", "--name", "victim", "busybox", "sleep", "1000");
    ok("kill", "-s", "KILL", "victim");
    assertEquals("137", ok("wait", "victim").strip());

    ProcessResult missing = api.docker("run", "--name", "nocmd", "busybox", "nope-not-here");
    assertEquals(127, missing.exitCode(), missing::err);
    assertTrue(missing.err().contains("executable file not found"), missing.err());
    assertEquals("created 127", ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "nocmd").strip());
    ok("rm", "-f", "ticker", "victim", "nocmd");
    assertTrue(api.mounts().isEmpty(), () -> "mounts left: " + api.mounts());
    assertTrue(api.cgroups().isEmpty(), () -> "cgroups left: " + api.cgroups());
  }

  @Test
  void copyInAndOutAndVolumes() throws Exception {
    ok("volume", "create", "data");
    assertEquals("data", ok("volume", "ls", "-q").strip());
    ok("run", "-d", "--name", "box", "-v", "data:/data", "busybox", "sh", "-c",
        "echo kept > /data/f; ln -s /etc/passwd /link; ln -s ../../../../../etc /escape; sleep 1000");
    Files.writeString(api.dir.resolve("in.txt"), "copied in\n");
    ok("cp", api.dir.resolve("in.txt").toString(), "box:/tmp/in.txt");
    assertEquals("copied in\n", ok("exec", "box", "cat", "/tmp/in.txt"));
    ok("cp", "box:/etc/passwd", api.dir.resolve("passwd").toString());
    assertTrue(Files.readString(api.dir.resolve("passwd")).startsWith("root:"));
    // A link in the container that points up and out still resolves inside it.
    ok("cp", "box:/escape/passwd", api.dir.resolve("escaped").toString());
    assertEquals(Files.readString(api.dir.resolve("passwd")), Files.readString(api.dir.resolve("escaped")));
    ProcessResult inUse = api.docker("volume", "rm", "data");
    assertTrue(inUse.err().contains("volume is in use"), inUse.err());
    ok("rm", "-f", "box");
    assertEquals("kept\n", ok("run", "--rm", "-v", "data:/data", "busybox", "cat", "/data/f"));
    ok("volume", "rm", "data");
    assertEquals("", ok("volume", "ls", "-q").strip());
  }

  @Test
  void interactiveTty() {
    assumeTrue(Files.isExecutable(java.nio.file.Path.of("/usr/bin/script")), "no script(1)");
    var r = dev.berth.testing.tools.Command.of("script", "-qec",
            ContainerApiFixture.DOCKER + " run -it --rm busybox sh -c 'tty; read line; echo typed-$line'", "/dev/null")
        .withEnv("DOCKER_HOST", "unix://" + api.socket)
        .withEnv("HOME", api.dir.toString())
        .withInput("abc\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .withTimeout(java.time.Duration.ofSeconds(30))
        .run();
    assertTrue(r.out().contains("/dev/pts/"), r.out() + r.err());
    assertTrue(r.out().contains("typed-abc"), r.out() + r.err());
  }

  @Test
  void pauseRestartRenameAttachPruneAndMore() {
    ok("run", "-d", "--name", "worker", "busybox", "sh", "-c", "trap 'exit 0' TERM; echo up; while true; do sleep 0.05; done");
    ok("pause", "worker");
    assertEquals("paused true", ok("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "worker").strip());
    assertTrue(ok("ps", "--format", "{{.Status}}").strip().endsWith("(Paused)"));
    ok("unpause", "worker");
    ok("restart", "-t", "5", "worker");
    assertEquals("running", ok("inspect", "-f", "{{.State.Status}}", "worker").strip());
    ok("rename", "worker", "worker2");
    String stamped = ok("logs", "--timestamps", "worker2");
    assertTrue(stamped.matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z up\n.*"), stamped);
    assertEquals("", ok("logs", "--since", "2099-01-01T00:00:00Z", "worker2"));

    // attach relays the output of a running container until it exits.
    ok("run", "-d", "--name", "talker", "-i", "busybox", "sh", "-c", "read line; echo got $line");
    ProcessResult attached = api.dockerCommand("attach", "talker").withInput("hi\n".getBytes()).run();
    assertEquals("got hi\n", attached.out(), attached.err());

    ok("stop", "worker2");
    ok("volume", "create", "--label", "k=v", "spare");
    assertEquals("map[k:v] local", ok("volume", "inspect", "-f", "{{.Labels}} {{.Driver}}", "spare").strip());
    String pruned = ok("volume", "prune", "-a", "-f");
    assertTrue(pruned.contains("spare"), pruned);
    String cpruned = ok("container", "prune", "-f");
    assertTrue(cpruned.contains("Deleted Containers:") && cpruned.contains("Total reclaimed space:"), cpruned);
    assertEquals("", ok("ps", "-aq").strip());
  }

  @Test
  @Timeout(60) // a lost end of input leaves cat running: fail rather than hang
  void runInteractiveReadsStdin() {
    for (int i = 0; i < 3; i++) {
      ProcessResult r = api.dockerCommand("run", "-i", "--rm", "busybox", "cat")
          .withInput("from stdin\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)).run();
      assertEquals(0, r.exitCode(), r.err());
      assertEquals("from stdin\n", r.out());
    }
  }

  @Test
  void execInteractiveTty() {
    assumeTrue(Files.isExecutable(java.nio.file.Path.of("/usr/bin/script")), "no script(1)");
    ok("run", "-d", "--name", "host", "busybox", "sleep", "1000");
    var r = dev.berth.testing.tools.Command.of("script", "-qec",
            ContainerApiFixture.DOCKER + " exec -it host sh -c 'tty; read line; echo said-$line'", "/dev/null")
        .withEnv("DOCKER_HOST", "unix://" + api.socket)
        .withEnv("HOME", api.dir.toString())
        .withInput("yes\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .withTimeout(java.time.Duration.ofSeconds(30))
        .run();
    assertTrue(r.out().contains("/dev/pts/"), r.out() + r.err());
    assertTrue(r.out().contains("said-yes"), r.out() + r.err());
    ok("rm", "-f", "host");
  }
}

package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.Daemon;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.TempDirs;
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
import org.junit.jupiter.api.Test;

/** {@code berth build} in-process against a real berthd whose RUN steps run in real containers. */
class CliBuildTest {
  static Path dir;
  static Daemon daemon;
  static Path socket;


  @BeforeAll
  static void startDaemon() throws Exception {
    dir = BerthCliTestSupport.shortTempDir("d");
    socket = dir.resolve("s.sock");
    daemon = Daemon.start(new Daemon.Config(dir.resolve("r"), List.of("unix://" + socket), null, false));
    BerthCliTestSupport.importBusybox("unix://" + socket, dir);
  }

  @AfterAll
  static void stopDaemon() {
    if (daemon != null) {
      daemon.close();
    }
    TempDirs.delete(dir);
  }

  static Result run(InputStream in, String... args) {
    return BerthCliTestSupport.run("unix://" + socket, Map.of("BERTH_AUTOSTART", "0"), in, false, args);
  }

  static Result ok(String... args) {
    return ok(InputStream.nullInputStream(), args);
  }

  static Result ok(InputStream in, String... args) {
    return BerthCliTestSupport.succeeded(run(in, args), args);
  }

  @Test
  void buildsWithProgressPerStepHonouringDockerignoreThenRunsTheImage() throws Exception {
    Path ctx = Files.createDirectories(dir.resolve("ctx1"));
    Files.writeString(ctx.resolve("Dockerfile"), """
        FROM busybox
        ARG GREETING=hi
        COPY . /ctx
        RUN find /ctx | sort > /listing && echo "$GREETING" > /greeting
        LABEL stage=final
        CMD ["cat", "/greeting", "/listing"]
        """);
    Files.createDirectories(ctx.resolve("src/generated"));
    Files.writeString(ctx.resolve("src/main.txt"), "main\n");
    Files.writeString(ctx.resolve("src/generated/out.bin"), "gen\n");
    Files.writeString(ctx.resolve("src/generated/keep.bin"), "keep\n");
    Files.writeString(ctx.resolve("notes.md"), "notes\n");
    Files.writeString(ctx.resolve(".dockerignore"), "**/*.md\nsrc/generated\n!src/generated/keep.bin\nDockerfile\n");

    Result r = ok("build", "-t", "cli-app:1", "-t", "cli-app:2", "--build-arg", "GREETING=hello", "--label", "by=cli",
        ctx.toString());
    assertTrue(r.out().contains("Step 1/6 : FROM busybox\n"), r.out());
    assertTrue(r.out().contains("Step 4/6 : RUN find /ctx | sort > /listing && echo \"$GREETING\" > /greeting\n"), r.out());
    assertTrue(r.out().contains("Successfully tagged cli-app:1\nSuccessfully tagged cli-app:2\n"), r.out());
    assertEquals("""
        hello
        /ctx
        /ctx/.dockerignore
        /ctx/src
        /ctx/src/generated
        /ctx/src/generated/keep.bin
        /ctx/src/main.txt
        """, ok("run", "--rm", "cli-app:1").out(), 
        "the Dockerfile is sent to be read, and kept out of COPY as .dockerignore says (as dockerd does)");
    assertEquals("{\"by\":\"cli\",\"stage\":\"final\"}", ok("image", "inspect", "-f", "{{json .Config.Labels}}", "cli-app:1")
        .out().strip());

    Result again = ok("build", "-q", "-t", "cli-app:1", "--build-arg", "GREETING=hello", "--label", "by=cli", ctx.toString());
    String id = ok("image", "inspect", "-f", "{{.Id}}", "cli-app:1").out().strip();
    assertEquals(id + "\n", again.out(), "-q prints the ID alone; a cached rebuild is the same image");
  }

  @Test
  void contextFromStdinDockerfileFromStdinAndFailingRun() throws Exception {
    Path src = Files.createDirectories(dir.resolve("ctx2"));
    Files.writeString(src.resolve("build.df"), "FROM busybox\nCOPY data.txt /data.txt\nRUN cat /data.txt\n");
    Files.writeString(src.resolve("data.txt"), "from the tar\n");
    Command.of("tar", "-C", src.toString(), "-cf", dir.resolve("ctx2.tar").toString(), ".").checked();
    byte[] tar = Files.readAllBytes(dir.resolve("ctx2.tar"));
    Result r = ok(new ByteArrayInputStream(tar), "build", "-f", "build.df", "-t", "stdin-ctx:1", "-");
    assertTrue(r.out().contains("\nfrom the tar\n"), r.out());

    Path empty = Files.createDirectories(dir.resolve("ctx3"));
    Result df = ok(new ByteArrayInputStream("FROM busybox\nRUN echo from stdin > /x\n".getBytes()), "build", "-f", "-",
        "-t", "stdin-df:1", empty.toString());
    assertTrue(df.out().contains("Step 2/2 : RUN echo from stdin > /x"), df.out());

    Result failed = run(new ByteArrayInputStream("FROM busybox\nRUN echo before failing; exit 5\n".getBytes()), "build",
        "-f", "-", "-t", "broken:1", empty.toString());
    assertEquals(5, failed.code(), failed.err() + failed.out());
    assertTrue(failed.out().contains("before failing\n"), failed.out());
    assertTrue(failed.err().contains("returned a non-zero code: 5"), failed.err());
    assertFalse(ok("images", "--format", "{{.Repository}}").out().contains("broken"));
  }
}

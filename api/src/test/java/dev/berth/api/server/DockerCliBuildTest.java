package dev.berth.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.testing.tools.ProcessResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stock {@code docker build} (classic builder, no buildx here) against berthd's {@code POST /build}. */
class DockerCliBuildTest {
  private ContainerApiFixture api;
  private Path ctx;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Files.isExecutable(ContainerApiFixture.DOCKER), "docker CLI not installed");
    api = new ContainerApiFixture();
    ctx = Files.createDirectories(api.dir.resolve("ctx"));
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  private ProcessResult build(String... args) {
    var argv = new java.util.ArrayList<String>(List.of("build"));
    argv.addAll(List.of(args));
    return api.dockerCommand(argv.toArray(String[]::new)).withEnv("DOCKER_BUILDKIT", "0").run();
  }

  /** Mounts of build steps still there (a {@code run --rm} container may still be going away). */
  private List<Path> buildMounts() {
    return api.mounts().stream().filter(p -> p.getFileName().toString().startsWith("build-")).toList();
  }

  private String ok(ProcessResult r) {
    assertEquals(0, r.exitCode(), () -> r.err() + r.out());
    return r.out();
  }

  @Test
  void buildsTagsCachesRunsAndShowsTheClassicBuilderOutput() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), """
        FROM busybox
        ARG WHO=nobody
        RUN echo "hello $WHO" > /greeting && echo built
        COPY app.txt /app.txt
        CMD ["cat", "/greeting", "/app.txt"]
        """);
    Files.writeString(ctx.resolve("app.txt"), "app\n");
    Files.writeString(ctx.resolve("ignored.txt"), "x\n");
    Files.writeString(ctx.resolve(".dockerignore"), "ignored.txt\n");

    String out = ok(build("-t", "app:1", "-t", "app:latest", "--build-arg", "WHO=docker", "--label", "team=build",
        ctx.toString()));
    assertTrue(out.contains("Step 1/5 : FROM busybox"), out);
    assertTrue(out.contains("Step 3/5 : RUN echo \"hello $WHO\" > /greeting && echo built"), out);
    assertTrue(out.contains("\nbuilt\n"), out);
    assertTrue(out.matches("(?s).*Successfully built [0-9a-f]{12}\n.*"), out);
    assertTrue(out.contains("Successfully tagged app:1\n") && out.contains("Successfully tagged app:latest\n"), out);

    ProcessResult run = api.docker("run", "--rm", "app:1");
    assertEquals("hello docker\napp\n", ok(run));
    assertEquals("team=build", ok(api.docker("image", "inspect", "-f", "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}}",
        "app:1")).strip());

    String again = ok(build("-t", "app:1", "--build-arg", "WHO=docker", "--label", "team=build", ctx.toString()));
    assertTrue(again.contains(" ---> Using cache"), again);
    assertFalse(again.contains("\nbuilt\n"), "the RUN step came from the cache: " + again);
    assertEquals(ok(api.docker("image", "inspect", "-f", "{{.Id}}", "app:1")).strip(),
        ok(api.docker("image", "inspect", "-f", "{{.Id}}", "app:latest")).strip(), "a cached rebuild is the same image");

    String quiet = ok(build("-q", "--build-arg", "WHO=docker", "--label", "team=build", ctx.toString())).strip();
    assertTrue(quiet.matches("sha256:[0-9a-f]{64}"), quiet);
    assertEquals(List.of(), buildMounts());
  }

  @Test
  void failingRunExitsWithItsCodeAndLeavesNoTag() throws Exception {
    Files.writeString(ctx.resolve("Dockerfile"), """
        FROM busybox
        RUN echo "going down" && exit 7
        """);
    ProcessResult r = build("-t", "broken:1", ctx.toString());
    assertEquals(7, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("going down"), r.out());
    assertTrue(r.err().contains("The command '/bin/sh -c echo \"going down\" && exit 7' returned a non-zero code: 7"),
        r.err());
    assertEquals("", ok(api.docker("images", "-q", "broken")).strip());

    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nFROBNICATE x\n");
    ProcessResult parse = build("-t", "broken:1", ctx.toString());
    assertEquals(1, parse.exitCode());
    assertTrue(parse.err().contains("FROBNICATE"), parse.err());
    assertEquals(List.of(), buildMounts());
  }

  @Test
  void targetAndDockerfileFromStdin() throws Exception {
    byte[] df = """
        FROM busybox AS one
        RUN echo one > /stage
        FROM busybox AS two
        RUN echo two > /stage
        """.getBytes();
    ProcessResult r = api.dockerCommand("build", "-t", "staged:1", "--target", "one", "-f", "-", ctx.toString())
        .withEnv("DOCKER_BUILDKIT", "0").withInput(df).run();
    ok(r);
    assertEquals("one\n", ok(api.docker("run", "--rm", "staged:1", "cat", "/stage")));
  }
}

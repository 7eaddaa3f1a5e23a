package dev.berth.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.DistributionRegistry;
import dev.berth.testing.tools.ProcessResult;
import dev.berth.testing.tools.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** docker login / push / pull through berthd against the reference registry with Basic auth. */
class DockerCliRegistryTest {
  private static final Path DOCKER = DockerCli.DOCKER;
  private ApiServerFixture api;
  private DistributionRegistry registry;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Files.isExecutable(DOCKER), "docker CLI not installed at " + DOCKER);
    api = new ApiServerFixture();
    registry = DistributionRegistry.builder().basicAuth("alice", "s3cret").start();
  }

  @AfterEach
  void stop() {
    if (registry != null) {
      registry.close();
    }
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
  void loginPushPullThroughBerthd() throws Exception {
    String name = registry.host() + "/team/bb:v1";
    ok("import", api.busyboxTar().toString(), name);

    ProcessResult refused = docker("login", "-u", "alice", "-p", "wrong", registry.host());
    assertNotEquals(0, refused.exitCode());
    assertTrue(refused.err().contains("401"), refused.err());

    assertTrue(ok("login", "-u", "alice", "-p", "s3cret", registry.host()).contains("Login Succeeded"));
    String push = ok("push", name);
    assertTrue(push.contains("v1: digest: sha256:"), push);

    String digest;
    try (var skopeo = Skopeo.create()) {
      digest = dev.berth.oci.Json.tree(skopeo.run("inspect", "--tls-verify=false", "--creds", "alice:s3cret",
          "docker://" + name).checked().out().getBytes(), "inspect", 1 << 20).path("Digest").asText();
    }
    assertTrue(push.contains(digest), push);

    ok("rmi", name);
    String pull = ok("pull", name);
    assertTrue(pull.contains("Digest: " + digest), pull);
    assertTrue(pull.contains("Downloaded newer image for " + name), pull);
    assertEquals("[" + registry.host() + "/team/bb@" + digest + "]",
        ok("image", "inspect", "--format", "{{.RepoDigests}}", name).strip());
  }
}

package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Json;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.Dockerd;
import dev.berth.testing.tools.Podman;
import dev.berth.testing.tools.Skopeo;
import dev.berth.testing.tools.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Real clients against berth's registry: podman, skopeo, curl and the docker CLI through dockerd. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientsTest {
  Path root;
  RegistryServer server;
  String host;
  Podman podman;
  Skopeo skopeo;
  Path rootfsTar;

  @BeforeAll
  void start() throws Exception {
    root = TempDirs.create("registry-clients-");
    server = RegistryServer.start(RegistryConfig.local(root.resolve("data")));
    host = server.hostPort();
    podman = Podman.start();
    skopeo = Skopeo.create();
    rootfsTar = root.resolve("busybox.tar");
    BusyboxRootfs.create(root.resolve("rootfs")).writeTar(rootfsTar);
    podman.importRootfs(rootfsTar, "localhost/busybox:latest");
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    if (podman != null) {
      podman.close();
    }
    if (skopeo != null) {
      skopeo.close();
    }
    TempDirs.deleteTree(root);
  }

  @Test
  void podmanPushThenSkopeoAndPodmanPull() throws Exception {
    String ref = host + "/tools/busybox:1";
    podman.run("push", "--tls-verify=false", "localhost/busybox:latest", ref).checked();
    String imageId = podman.imageId("localhost/busybox:latest");

    // skopeo sees the tag and copies the image out to an OCI layout, blobs verified on the way
    var inspect = Json.tree(skopeo.inspect("docker://" + ref).getBytes(), "inspect", 1 << 20);
    assertEquals(1, inspect.path("Layers").size());
    Path layout = root.resolve("oci-out");
    skopeo.copy("docker://" + ref, "oci:" + layout + ":1");
    assertTrue(Files.isRegularFile(layout.resolve("index.json")));

    // skopeo pushes it back under another name: blobs exist, so nothing but the manifest moves
    skopeo.copy("oci:" + layout + ":1", "docker://" + host + "/tools/copy:2");
    assertEquals(skopeo.inspectRaw("docker://" + ref), skopeo.inspectRaw("docker://" + host + "/tools/copy:2"));

    // podman pulls it into a fresh name and gets the same image
    podman.run("rmi", "localhost/busybox:latest").checked();
    podman.run("pull", "--tls-verify=false", ref).checked();
    assertEquals(imageId, podman.imageId(ref), "the same config, so the same image");
    podman.run("tag", ref, "localhost/busybox:latest").checked();

    // the tags list as skopeo reads it
    var tags = Json.tree(skopeo.run("list-tags", "--tls-verify=false", "docker://" + host + "/tools/busybox").checked().out().getBytes(),
        "tags", 1 << 20);
    assertEquals("1", tags.path("Tags").path(0).asText());
  }

  @Test
  void curlSeesTheSpecHeadersAndRanges() {
    podman.run("push", "--tls-verify=false", "localhost/busybox:latest", host + "/curl/busybox:1").checked();
    var base = Command.of("curl", "-sS", "-i", "http://" + host + "/v2/").run().checked().out();
    assertTrue(base.contains("Docker-Distribution-API-Version: registry/2.0"), base);
    String manifest = Command.of("curl", "-sS", "-H", "Accept: application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json",
        "http://" + host + "/v2/curl/busybox/manifests/1").run().checked().out();
    String config = Json.tree(manifest.getBytes(), "manifest", 1 << 20).path("config").path("digest").asText();
    String ranged = Command.of("curl", "-sS", "-i", "-r", "0-1", "http://" + host + "/v2/curl/busybox/blobs/" + config).run().checked().out();
    assertTrue(ranged.startsWith("HTTP/1.1 206"), ranged);
    assertTrue(ranged.contains("Content-Range: bytes 0-1/"), ranged);
    assertTrue(ranged.endsWith("\r\n\r\n{\""), ranged);
    String missing = Command.of("curl", "-sS", "-i", "http://" + host + "/v2/curl/busybox/manifests/nope").run().checked().out();
    assertTrue(missing.startsWith("HTTP/1.1 404") && missing.contains("\"code\":\"MANIFEST_UNKNOWN\""), missing);
  }

  @Test
  void dockerPushAndPullThroughDockerd() throws Exception {
    Path archive = root.resolve("busybox-docker.tar");
    podman.save("localhost/busybox:latest", "docker-archive", archive);
    try (var dockerd = Dockerd.start()) {
      dockerd.docker("load", "-i", archive.toString()).checked();
      String ref = host + "/docker/busybox:1";
      dockerd.docker("tag", "localhost/busybox:latest", ref).checked();
      var push = dockerd.docker("push", ref).checked();
      assertTrue(push.out().contains("digest: sha256:"), push.out());
      // a second repository: docker mounts the layer from the first instead of uploading it
      String ref2 = host + "/docker/other:1";
      dockerd.docker("tag", "localhost/busybox:latest", ref2).checked();
      var push2 = dockerd.docker("push", ref2).checked();
      assertTrue(push2.out().contains("Mounted from docker/busybox") || push2.out().contains("Layer already exists"), push2.out());
      dockerd.docker("rmi", ref, ref2, "localhost/busybox:latest").checked();
      var pull = dockerd.docker("pull", ref).checked();
      assertTrue(pull.out().contains("Downloaded newer image") || pull.out().contains("Pull complete"), pull.out());
      String digest = dockerd.docker("image", "inspect", "--format", "{{index .RepoDigests 0}}", ref).checked().out().strip();
      assertTrue(digest.startsWith(host + "/docker/busybox@sha256:"), digest);
    }
  }
}

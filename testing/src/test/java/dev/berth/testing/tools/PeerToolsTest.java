package dev.berth.testing.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.rootfs.BusyboxRootfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer fixtures against the real tools: each image crosses podman, skopeo, umoci and dockerd. */
class PeerToolsTest {
  @TempDir Path tmp;

  private Path busyboxTar() {
    var tar = tmp.resolve("busybox.tar");
    BusyboxRootfs.create(tmp.resolve("rootfs")).writeTar(tar);
    return tar;
  }

  @Test
  void podmanImportsRunsSavesAndLoadsBusybox() {
    var tar = busyboxTar();
    Path home;
    try (var podman = Podman.start()) {
      home = podman.home();
      var id = podman.importRootfs(tar, "localhost/busybox:latest");
      assertTrue(id.matches("(sha256:)?[0-9a-f]{64}"), id);
      assertEquals("hi\n", podman.run("run", "--rm", "--network", "none", "localhost/busybox:latest", "echo", "hi").checked().out());
      assertTrue(podman.inspect("localhost/busybox:latest").contains("\"localhost/busybox:latest\""));
      assertTrue(podman.imageDigest("localhost/busybox:latest").startsWith("sha256:"));

      podman.save("localhost/busybox:latest", "docker-archive", tmp.resolve("docker.tar"));
      podman.save("localhost/busybox:latest", "oci-archive", tmp.resolve("oci.tar"));
      var dockerEntries = Command.of("tar", "-tf", tmp.resolve("docker.tar").toString()).checked().out();
      assertTrue(dockerEntries.contains("manifest.json"), dockerEntries);
      var ociEntries = Command.of("tar", "-tf", tmp.resolve("oci.tar").toString()).checked().out();
      assertTrue(ociEntries.contains("oci-layout") && ociEntries.contains("index.json"), ociEntries);

      try (var other = Podman.start()) {
        assertEquals(List.of("localhost/busybox:latest"), other.load(tmp.resolve("docker.tar")));
        assertEquals(podman.imageId("localhost/busybox:latest"), other.imageId("localhost/busybox:latest"));
      }
    }
    assertFalse(Files.exists(home));
    assertTrue(TempDirs.mountsUnder(home).isEmpty());
  }

  @Test
  void skopeoAndUmociReadTheOciLayout() {
    var tar = busyboxTar();
    try (var podman = Podman.start(); var skopeo = Skopeo.create()) {
      podman.importRootfs(tar, "localhost/busybox:latest");
      podman.save("localhost/busybox:latest", "oci-archive", tmp.resolve("oci.tar"));

      var layout = tmp.resolve("layout");
      skopeo.copy("oci-archive:" + tmp.resolve("oci.tar"), "oci:" + layout + ":latest");
      assertTrue(skopeo.inspectRaw("oci:" + layout + ":latest").contains("application/vnd.oci.image.config.v1+json"));
      assertTrue(skopeo.inspectConfig("oci:" + layout + ":latest").contains("\"os\":\"linux\""));
      assertTrue(skopeo.inspect("oci:" + layout + ":latest").contains("\"Layers\""));

      var umoci = Umoci.create();
      assertEquals(List.of("latest"), umoci.ls(layout));
      assertTrue(umoci.stat(layout, "latest").contains("history"));
      var bundle = tmp.resolve("bundle");
      umoci.unpack(layout, "latest", bundle);
      assertTrue(Files.isSymbolicLink(bundle.resolve("rootfs/bin/sh")));
      assertTrue(Files.isRegularFile(bundle.resolve("config.json")));
    }
  }

  @Test
  void dockerdLoadsAndRunsBusyboxAndLeavesNothingBehind() {
    var tar = busyboxTar();
    Path archive = tmp.resolve("docker.tar");
    try (var podman = Podman.start()) {
      podman.importRootfs(tar, "docker.io/library/busybox:latest");
      podman.save("docker.io/library/busybox:latest", "docker-archive", archive);
    }
    Path home;
    try (var docker = Dockerd.start()) {
      home = docker.home();
      assertTrue(docker.ping());
      var loaded = docker.docker("load", "-i", archive.toString()).checked().out();
      assertTrue(loaded.contains("busybox:latest"), loaded);
      assertTrue(docker.docker("image", "inspect", "busybox:latest").checked().out().contains("\"Id\": \"sha256:"));
      assertEquals("hi\n", docker.docker("run", "--rm", "--network", "none", "busybox", "echo", "hi").checked().out());
      // Left running on purpose: close() must take it down too.
      docker.docker("run", "-d", "--network", "none", "busybox", "sleep", "300").checked();
      assertFalse(TempDirs.processesUsing(home).isEmpty(), "containerd and the shim name the temp dir");
    }
    assertTrue(TempDirs.processesUsing(home).isEmpty(), "processes left: " + TempDirs.processesUsing(home));
    assertTrue(TempDirs.mountsUnder(home).isEmpty(), "mounts left: " + TempDirs.mountsUnder(home));
    assertFalse(Files.exists(home));
  }
}

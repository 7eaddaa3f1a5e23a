package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.content.LocalContentStore;
import dev.berth.oci.Json;
import dev.berth.oci.Reference;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.Podman;
import dev.berth.testing.tools.Skopeo;
import dev.berth.testing.tools.Umoci;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives written by podman and skopeo load into berth with the same digests, and the other way round. */
class PeerInteropTest {
  static Podman podman;
  static Path rootfsTar;
  @TempDir static Path shared;
  @TempDir Path dir;

  @BeforeAll
  static void busyboxInPodman() {
    rootfsTar = shared.resolve("busybox.tar");
    BusyboxRootfs.create(shared.resolve("rootfs")).writeTar(rootfsTar);
    podman = Podman.start();
    podman.importRootfs(rootfsTar, "localhost/busybox:latest");
  }

  @AfterAll
  static void stopPodman() {
    if (podman != null) {
      podman.close();
    }
  }

  ImageStore store() {
    return ImageStore.open(dir.resolve("berth"), LocalContentStore.at(dir.resolve("berth/content")));
  }

  static Image load(ImageStore s, Path archive) throws Exception {
    try (InputStream in = Files.newInputStream(archive)) {
      return new ArchiveLoader(s).load(in, archive.getFileName().toString(), null, m -> {}).images().getFirst();
    }
  }

  static JsonNode podmanInspect(String name) {
    return Json.tree(podman.inspect(name).getBytes(), "podman inspect", Integer.MAX_VALUE).get(0);
  }

  @Test
  void podmanDockerArchiveLoadsWithSameIdAndLayers() throws Exception {
    Path archive = dir.resolve("podman-docker.tar");
    podman.save("localhost/busybox:latest", "docker-archive", archive);
    Image image = load(store(), archive);
    JsonNode p = podmanInspect("localhost/busybox:latest");
    assertEquals("sha256:" + p.get("Id").asText(), image.id().toString());
    assertEquals(p.get("RootFS").get("Layers").get(0).asText(), image.config().rootfs().diffIds().getFirst().toString());
    assertEquals(image.config().rootfs().diffIds().getFirst(), image.manifest().layers().getFirst().digest());
    assertEquals(List.of(Reference.parse("localhost/busybox:latest")), image.tags());
  }

  @Test
  void podmanOciArchiveLoadsWithSameManifestDigest() throws Exception {
    Path archive = dir.resolve("podman-oci.tar");
    podman.save("localhost/busybox:latest", "oci-archive", archive);
    Image image = load(store(), archive);
    JsonNode p = podmanInspect("localhost/busybox:latest");
    assertEquals("sha256:" + p.get("Id").asText(), image.id().toString());
    // The archive's manifest is kept byte for byte: the digest skopeo reads from it is ours.
    try (Skopeo skopeo = Skopeo.create()) {
      JsonNode s = Json.tree(skopeo.inspect("oci-archive:" + archive).getBytes(), "skopeo inspect", Integer.MAX_VALUE);
      assertEquals(s.get("Digest").asText(), image.target().digest().toString());
    }
  }

  @Test
  void skopeoOciLayoutAndDockerArchiveLoadWithSameDigests() throws Exception {
    Path podmanOci = dir.resolve("src.tar");
    podman.save("localhost/busybox:latest", "oci-archive", podmanOci);
    try (Skopeo skopeo = Skopeo.create()) {
      Path layout = dir.resolve("layout");
      skopeo.copy("oci-archive:" + podmanOci, "oci:" + layout + ":latest");
      Path dockerArchive = dir.resolve("skopeo-docker.tar");
      skopeo.copy("oci-archive:" + podmanOci, "docker-archive:" + dockerArchive + ":example.com/bb:1");

      ImageStore a = store();
      Image fromLayout = new ArchiveLoader(a).loadDirectory(layout, null, m -> {}).images().getFirst();
      JsonNode s = Json.tree(skopeo.inspect("oci:" + layout + ":latest").getBytes(), "skopeo inspect", Integer.MAX_VALUE);
      assertEquals(s.get("Digest").asText(), fromLayout.target().digest().toString());

      Image fromDocker = load(a, dockerArchive);
      assertEquals(fromLayout.id(), fromDocker.id(), "same config, same image ID");
      assertEquals(List.of(Reference.parse("example.com/bb:1")), fromDocker.tags());
    }
  }

  @Test
  void berthSaveLoadsIntoPodmanSkopeoAndUmoci() throws Exception {
    ImageStore s = store();
    Image imported;
    try (InputStream in = Files.newInputStream(rootfsTar)) {
      imported = new RootfsImporter(s).importRootfs(in,
          new RootfsImporter.Request("busybox.tar", Reference.parse("berth-test/busybox:1"), List.of("CMD [\"sh\"]"), null, null));
    }
    Path saved = dir.resolve("berth-save.tar");
    try (OutputStream out = Files.newOutputStream(saved)) {
      new ArchiveWriter(s).save(List.of("berth-test/busybox:1"), out);
    }

    // podman reads the docker-archive half; the image ID (config digest) is the same.
    try (Podman other = Podman.start()) {
      List<String> loaded = other.load(saved);
      assertTrue(loaded.stream().anyMatch(n -> n.contains("berth-test/busybox:1")), loaded.toString());
      assertEquals(imported.id().hex(), other.imageId("docker.io/berth-test/busybox:1"));
      assertEquals("hello", other.run("run", "--rm", "--network", "none", "docker.io/berth-test/busybox:1", "echo", "hello")
          .checked().out().strip());
    }

    try (Skopeo skopeo = Skopeo.create()) {
      JsonNode viaDocker = Json.tree(skopeo.inspect("docker-archive:" + saved).getBytes(), "skopeo", Integer.MAX_VALUE);
      assertEquals(imported.config().rootfs().diffIds().getFirst().toString(), viaDocker.get("Layers").get(0).asText());
      JsonNode viaOci = Json.tree(skopeo.inspect("oci-archive:" + saved).getBytes(), "skopeo", Integer.MAX_VALUE);
      assertEquals(imported.target().digest().toString(), viaOci.get("Digest").asText());
    }

    Path layout = dir.resolve("berth-layout");
    untar(saved, layout);
    Umoci umoci = Umoci.create();
    assertEquals(List.of("1"), umoci.ls(layout));
    JsonNode stat = Json.tree(umoci.stat(layout, "1").getBytes(), "umoci stat", Integer.MAX_VALUE);
    assertTrue(stat.toString().contains(imported.config().rootfs().diffIds().getFirst().toString())
        || stat.get("history") != null, stat.toString());
    Path bundle = dir.resolve("bundle");
    umoci.unpack(layout, "1", bundle);
    assertTrue(Files.isRegularFile(bundle.resolve("rootfs/bin/busybox")));
    assertTrue(Files.isSymbolicLink(bundle.resolve("rootfs/bin/sh")));
  }

  static void untar(Path tar, Path into) throws Exception {
    try (TarArchiveInputStream t = new TarArchiveInputStream(Files.newInputStream(tar))) {
      for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
        Path p = into.resolve(e.getName()).normalize();
        if (!p.startsWith(into)) {
          throw new IllegalStateException("escaping entry " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(p);
        } else {
          Files.createDirectories(p.getParent());
          Files.copy(t, p);
        }
      }
    }
  }

}

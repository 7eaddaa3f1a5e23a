package dev.berth.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.NotFoundException;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.testing.tools.DistributionRegistry;
import dev.berth.testing.tools.Podman;
import dev.berth.testing.tools.Skopeo;
import dev.berth.testing.tools.TempDirs;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pull and push against the reference registry over plain HTTP, and interop with skopeo and podman. */
class RegistryClientTest {
  static DistributionRegistry registry;
  static Path work;
  static ImageStore source;
  static Image image;
  static RegistryClient client = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS);

  @BeforeAll
  static void start() throws Exception {
    registry = DistributionRegistry.start();
    work = TempDirs.create("distribution-test-");
    source = TestImage.store(work.resolve("source"));
    image = TestImage.busybox(source, work, "app:1", "one");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    TempDirs.deleteTree(work);
  }

  private Reference ref(String path) {
    return Reference.parse(registry.host() + "/" + path);
  }

  private Image push(String path) {
    source.tag("app:1", ref(path));
    client.push(ref(path), source, ProgressListener.NONE);
    return source.resolve(ref(path).toString());
  }

  @Test
  void pushedImagePullsBackWithTheSameDigestsAndSkopeoAgrees() throws Exception {
    var events = new CopyOnWriteArrayList<ProgressEvent>();
    PushResult pushed = client.push(tagged("roundtrip/app:1"), source, events::add);
    assertEquals(image.target().digest(), pushed.digest());
    assertEquals(3, pushed.blobsUploaded() + pushed.blobsMounted(), pushed.toString());
    assertTrue(events.stream().anyMatch(e -> e.status().equals("Pushed") || e.status().startsWith("Mounted from")), events.toString());
    try (var skopeo = Skopeo.create()) {
      String inspect = skopeo.inspect("docker://" + registry.host() + "/roundtrip/app:1");
      assertTrue(inspect.contains(pushed.digest().toString()), inspect);
    }
    ImageStore target = TestImage.store(work.resolve("pull-roundtrip"));
    var pullEvents = new CopyOnWriteArrayList<ProgressEvent>();
    Image pulled = client.pull(ref("roundtrip/app:1"), Platform.host(), target, pullEvents::add);
    assertEquals(image.id(), pulled.id());
    assertEquals(image.target().digest(), pulled.target().digest());
    assertEquals(List.of(registry.host() + "/roundtrip/app@" + pushed.digest()), pulled.repoDigests());
    assertTrue(pullEvents.stream().anyMatch(e -> e.status().equals("Pull complete")), pullEvents.toString());
    // Again: every blob is there, nothing is fetched.
    PullResult again = client.pullContent(ref("roundtrip/app:1"), Platform.host(), target.content(), ProgressListener.NONE);
    assertEquals(0, again.blobsFetched());
  }

  private Reference tagged(String path) {
    source.tag("app:1", ref(path));
    return ref(path);
  }

  @Test
  void chunkedUploadAndCrossRepositoryMount() {
    var chunked = RegistryClient.withChunkSize(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS, 64 * 1024);
    PushResult first = chunked.push(tagged("chunked/app:1"), source, ProgressListener.NONE);
    assertEquals(3, first.blobsUploaded());
    // The image now has a repo digest in chunked/app: pushing to another repository mounts from there.
    PushResult second = client.push(tagged("mounted/app:1"), source, ProgressListener.NONE);
    assertEquals(3, second.blobsMounted(), second.toString());
    ImageStore target = TestImage.store(work.resolve("pull-mounted"));
    assertEquals(image.id(), client.pull(ref("mounted/app:1"), Platform.host(), target, ProgressListener.NONE).id());
  }

  @Test
  void whatSkopeoPushesBerthPulls() {
    client.push(tagged("skopeo-src/app:1"), source, ProgressListener.NONE);
    try (var skopeo = Skopeo.create()) {
      // Converted to Docker schema2 on the way: a different manifest, pushed by skopeo.
      skopeo.copy("docker://" + registry.host() + "/skopeo-src/app:1", "docker://" + registry.host() + "/skopeo/app:2",
          "--format", "v2s2");
      String digest = dev.berth.oci.Json.tree(skopeo.inspect("docker://" + registry.host() + "/skopeo/app:2")
          .getBytes(), "inspect", 1 << 20).path("Digest").asText();
      ImageStore target = TestImage.store(work.resolve("pull-skopeo"));
      Image pulled = client.pull(ref("skopeo/app:2"), Platform.host(), target, ProgressListener.NONE);
      assertEquals(digest, pulled.target().digest().toString());
      assertEquals(dev.berth.oci.MediaType.DOCKER_MANIFEST, pulled.target().mediaType());
    }
  }

  @Test
  void podmanPullsAndRunsWhatBerthPushed() {
    PushResult pushed = client.push(tagged("podman/app:1"), source, ProgressListener.NONE);
    try (var podman = Podman.start()) {
      String name = registry.host() + "/podman/app:1";
      podman.run("pull", "--tls-verify=false", name).checked();
      assertEquals(pushed.digest().toString(), podman.imageDigest(name));
      String out = podman.run("run", "--rm", "--network", "none", name, "cat", "/etc/layer-one").checked().out();
      assertEquals("one", out.strip());
      // And what podman pushes, berth pulls.
      podman.run("push", "--tls-verify=false", name, registry.host() + "/podman/pushed:1").checked();
    }
    ImageStore target = TestImage.store(work.resolve("pull-podman"));
    Image pulled = client.pull(ref("podman/pushed:1"), Platform.host(), target, ProgressListener.NONE);
    assertEquals(image.config().rootfs().diffIds(), pulled.config().rootfs().diffIds());
  }

  @Test
  void missingTagIsNotFoundNamingIt() {
    var e = assertThrows(NotFoundException.class,
        () -> client.pullContent(ref("nothing/here:1"), Platform.host(), TestImage.store(work.resolve("x")).content(),
            ProgressListener.NONE));
    assertTrue(e.getMessage().contains("nothing/here:1"), e.getMessage());
  }

  @Test
  void failingMirrorFallsBackToTheNextMirror() {
    client.push(tagged("mirrored/app:1"), source, ProgressListener.NONE);
    try (var empty = DistributionRegistry.start()) {
      // The reference names the empty registry; its first mirror is closed, the second has the image.
      var config = RegistryConfig.DEFAULT.withMirrors(empty.host(),
          List.of(URI.create("http://127.0.0.1:1"), registry.baseUri()));
      var viaMirror = RegistryClient.create(config, CredentialStore.ANONYMOUS);
      ImageStore target = TestImage.store(work.resolve("pull-mirror"));
      Image pulled = viaMirror.pull(Reference.parse(empty.host() + "/mirrored/app:1"), Platform.host(), target,
          ProgressListener.NONE);
      assertEquals(image.id(), pulled.id());
    }
  }
}

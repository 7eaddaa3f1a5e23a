package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.archive.Compression;
import dev.berth.content.LocalContentStore;
import dev.berth.daemon.Daemon;
import dev.berth.distribution.CredentialStore;
import dev.berth.distribution.ProgressListener;
import dev.berth.distribution.RegistryClient;
import dev.berth.distribution.RegistryConfig;
import dev.berth.errors.NotFoundException;
import dev.berth.oci.ContainerConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Index;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.testing.rootfs.RootfsTar;
import dev.berth.testing.tools.DistributionRegistry;
import java.io.ByteArrayOutputStream;
import dev.berth.cli.BerthCliTestSupport.Result;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth pull / push / login / logout} run in-process against a real berthd on a temp socket,
 * and the reference registry (plain, and with Basic auth). The CLI's Docker config is a temp dir
 * ({@code DOCKER_CONFIG} in its environment), never the user's.
 */
class PullPushLoginTest {
  @TempDir static Path tmp;
  static Daemon daemon;
  static Path socket;
  static DistributionRegistry registry;
  static DistributionRegistry authRegistry;
  static Path rootfs;


  @BeforeAll
  static void start() throws Exception {
    socket = tmp.resolve("run/berth.sock");
    daemon = Daemon.start(new Daemon.Config(tmp.resolve("root"), List.of("unix://" + socket), null, false));
    registry = DistributionRegistry.start();
    authRegistry = DistributionRegistry.builder().basicAuth("alice", "secret").start();
    rootfs = tmp.resolve("rootfs.tar");
    RootfsTar.writeFiles(Map.of("etc/hello", "hello\n".getBytes(StandardCharsets.UTF_8)), rootfs);
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
    for (var r : new DistributionRegistry[] {registry, authRegistry}) {
      if (r != null) {
        r.close();
      }
    }
  }

  static Result run(String... args) {
    return BerthCliTestSupport.runWithHost("unix://" + socket,
        Map.of("BERTH_AUTOSTART", "0", "DOCKER_CONFIG", tmp.resolve("docker").toString()), args);
  }

  static Result ok(String... args) {
    return BerthCliTestSupport.succeeded(run(args), args);
  }

  static String digestIn(String pushOutput) {
    var m = Pattern.compile("digest: (sha256:[0-9a-f]{64})").matcher(pushOutput);
    assertTrue(m.find(), pushOutput);
    return m.group(1);
  }

  @Test
  void pushThenPullBackByTagAndPushByDigest() {
    String name = registry.host() + "/cli/app:1";
    ok("import", rootfs.toString(), name);
    Result pushed = ok("push", name);
    assertTrue(pushed.out().startsWith("The push refers to repository [" + registry.host() + "/cli/app]"), pushed.out());
    String digest = digestIn(pushed.out());

    ok("rmi", name);
    Result pulled = ok("pull", name);
    assertTrue(pulled.out().contains("Digest: " + digest), pulled.out());
    assertTrue(pulled.out().strip().endsWith(name), pulled.out());
    assertTrue(ok("image", "inspect", name).out().contains(registry.host() + "/cli/app@" + digest));

    // By digest to another repository: the manifest is there by digest, and no tag was set.
    ok("tag", name, registry.host() + "/bydigest/app:1");
    Result byDigest = ok("push", registry.host() + "/bydigest/app@" + digest);
    assertEquals(digest, digestIn(byDigest.out()));
    var client = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS);
    var store = LocalContentStore.at(tmp.resolve("check-by-digest"));
    assertEquals(digest, client.pullContent(Reference.parse(registry.host() + "/bydigest/app@" + digest), Platform.host(),
        store, ProgressListener.NONE).manifest().digest().toString());
    assertThrows(NotFoundException.class, () -> client.pullContent(Reference.parse(registry.host() + "/bydigest/app:1"),
        Platform.host(), store, ProgressListener.NONE));
  }

  @Test
  void loginStoresCredentialsThatPushUsesAndLogoutRemovesThem() throws Exception {
    String host = authRegistry.host();
    String name = host + "/private/app:1";
    ok("import", rootfs.toString(), name);
    Result anonymous = run("push", name);
    assertNotEquals(0, anonymous.code());
    assertTrue(anonymous.err().contains("401"), anonymous.err());

    Result refused = run("login", "-u", "alice", "-p", "wrong", host);
    assertNotEquals(0, refused.code());
    assertTrue(refused.err().contains("401") || refused.err().contains("unauthorized"), refused.err());
    assertTrue(!Files.exists(tmp.resolve("docker/config.json"))
        || !Files.readString(tmp.resolve("docker/config.json")).contains(host), "a refused login stores nothing");

    assertEquals("Login Succeeded\n", ok("login", "-u", "alice", "-p", "secret", host).out());
    assertTrue(Files.readString(tmp.resolve("docker/config.json")).contains("\"" + host + "\""));
    Result pushed = ok("push", name);
    digestIn(pushed.out());

    assertEquals("Removing login credentials for " + host + "\n", ok("logout", host).out());
    assertTrue(!Files.readString(tmp.resolve("docker/config.json")).contains(host));
    assertEquals("Not logged in to " + host + "\n", ok("logout", host).out());
    assertNotEquals(0, run("pull", name).code(), "without credentials again");
  }

  @Test
  void pullPicksThePlatformAskedFromAMultiPlatformIndex() throws Exception {
    // An index of two single-layer images, each layer saying its architecture, pushed with the library.
    var content = LocalContentStore.at(tmp.resolve("index-content"));
    var manifests = new ArrayList<Descriptor>();
    for (String arch : List.of("amd64", "arm64")) {
      Path tar = tmp.resolve("layer-" + arch + ".tar");
      RootfsTar.writeFiles(Map.of("etc/arch", arch.getBytes(StandardCharsets.UTF_8)), tar);
      byte[] plain = Files.readAllBytes(tar);
      var gz = new ByteArrayOutputStream();
      try (var out = Compression.GZIP.compress(gz)) {
        out.write(plain);
      }
      content.write(gz.toByteArray());
      var layer = Descriptor.of(MediaType.OCI_LAYER_GZIP, Digest.sha256(gz.toByteArray()), gz.size());
      byte[] config = new ImageConfig(arch, null, null, ContainerConfig.of(List.of(), List.of("sh")), null, null,
          "2024-01-01T00:00:00Z", null, null, "linux", null,
          new ImageConfig.RootFs("layers", List.of(Digest.sha256(plain))), null).toJson();
      content.write(config);
      byte[] manifest = Manifest.of(MediaType.OCI_MANIFEST,
          Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256(config), config.length), List.of(layer)).toJson();
      content.write(manifest);
      manifests.add(Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256(manifest), manifest.length)
          .withPlatform(Platform.of("linux", arch, null)));
    }
    byte[] index = Index.of(manifests).toJson();
    content.write(index);
    var target = Descriptor.of(MediaType.OCI_INDEX, Digest.sha256(index), index.length);
    String name = registry.host() + "/multi/app:1";
    RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS)
        .push(Reference.parse(name), target, content, List.of(), ProgressListener.NONE);

    for (int i = 0; i < 2; i++) {
      String arch = i == 0 ? "arm64" : "amd64";
      ok("pull", "--platform", "linux/" + arch, name);
      String inspect = ok("image", "inspect", name).out();
      assertTrue(inspect.contains("\"Architecture\": \"" + arch + "\""), inspect);
      assertTrue(inspect.contains(manifests.get(i == 0 ? 1 : 0).digest().hex()) || inspect.contains(arch), inspect);
    }
    Result none = run("pull", "--platform", "linux/s390x", name);
    assertNotEquals(0, none.code());
    assertTrue(none.err().contains("s390x"), none.err());
  }
}

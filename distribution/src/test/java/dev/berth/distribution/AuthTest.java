package dev.berth.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.FailedPreconditionException;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.testing.tools.DistributionRegistry;
import dev.berth.testing.tools.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Basic, Bearer token and TLS set-ups of the reference registry; credentials from Docker's config.json. */
class AuthTest {
  static Path work;
  static ImageStore source;
  static Image image;

  @BeforeAll
  static void build() throws Exception {
    work = TempDirs.create("distribution-auth-");
    source = TestImage.store(work.resolve("source"));
    image = TestImage.busybox(source, work, "app:1", "auth");
  }

  @AfterAll
  static void clean() {
    TempDirs.deleteTree(work);
  }

  private static Reference tagged(DistributionRegistry r, String path) {
    var ref = Reference.parse(r.host() + "/" + path);
    source.tag("app:1", ref);
    return ref;
  }

  @Test
  void basicAuthWithCredentialsFromConfigJson() throws Exception {
    try (var registry = DistributionRegistry.builder().basicAuth("alice", "s3cret").start()) {
      var anonymous = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS);
      var e = assertThrows(FailedPreconditionException.class,
          () -> anonymous.push(tagged(registry, "basic/app:1"), source, ProgressListener.NONE));
      assertTrue(e.getMessage().contains("401") && e.getMessage().contains("anonymous"), e.getMessage());

      var config = DockerConfig.at(work.resolve("docker-basic"));
      config.store(registry.host(), Credential.of("alice", "wrong"));
      var wrong = RegistryClient.create(RegistryConfig.DEFAULT, config);
      var refused = assertThrows(FailedPreconditionException.class, () -> wrong.checkLogin(registry.host()));
      assertTrue(refused.getMessage().contains("user alice from " + config.file()), refused.getMessage());

      config.store(registry.host(), Credential.of("alice", "s3cret"));
      assertTrue(Files.readString(config.file()).contains(registry.host()));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.file())));
      var client = RegistryClient.create(RegistryConfig.DEFAULT, config);
      client.checkLogin(registry.host());
      client.push(tagged(registry, "basic/app:1"), source, ProgressListener.NONE);
      Image pulled = client.pull(Reference.parse(registry.host() + "/basic/app:1"), Platform.host(),
          TestImage.store(work.resolve("pull-basic")), ProgressListener.NONE);
      assertEquals(image.id(), pulled.id());
      assertTrue(config.erase(registry.host()));
      assertTrue(config.get(registry.host()).anonymous());
    }
  }

  @Test
  void bearerTokensFromTheRealmAreCachedPerScope() {
    try (var registry = DistributionRegistry.builder().tokenAuth("bob", "tok3n").start()) {
      var anonymous = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS);
      var e = assertThrows(FailedPreconditionException.class, () -> anonymous.pullContent(
          Reference.parse(registry.host() + "/token/app:1"), Platform.host(), TestImage.store(work.resolve("x")).content(),
          ProgressListener.NONE));
      assertTrue(e.getMessage().contains("anonymous") && e.getMessage().contains("UNAUTHORIZED"), e.getMessage());

      var client = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.of(Credential.of("bob", "tok3n")));
      client.push(tagged(registry, "token/app:1"), source, ProgressListener.NONE);
      int afterPush = registry.tokenRequests();
      Image pulled = client.pull(Reference.parse(registry.host() + "/token/app:1"), Platform.host(),
          TestImage.store(work.resolve("pull-token")), ProgressListener.NONE);
      assertEquals(image.id(), pulled.id());
      // One token for the pull scope, reused for the manifest, the config and both layers.
      assertEquals(afterPush + 1, registry.tokenRequests());

      var bad = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.of(Credential.of("bob", "nope")));
      var refused = assertThrows(FailedPreconditionException.class, () -> bad.checkLogin(registry.host()));
      assertTrue(refused.getMessage().contains("token server") && refused.getMessage().contains("bad credentials"),
          refused.getMessage());
    }
  }

  @Test
  void tlsWithCaAndClientCertificateFromCertsD() {
    try (var registry = DistributionRegistry.builder().clientCerts().start()) {
      var config = RegistryConfig.DEFAULT.withCertsDir(registry.certsDir());
      var client = RegistryClient.create(config, CredentialStore.ANONYMOUS);
      client.push(tagged(registry, "tls/app:1"), source, ProgressListener.NONE);
      Image pulled = client.pull(Reference.parse(registry.host() + "/tls/app:1"), Platform.host(),
          TestImage.store(work.resolve("pull-tls")), ProgressListener.NONE);
      assertEquals(image.id(), pulled.id());
    }
  }

  @Test
  void credentialHelperFromCredHelpers() throws Exception {
    Path bin = work.resolve("helpers");
    Files.createDirectories(bin);
    Path helper = bin.resolve("docker-credential-berthtest");
    Files.writeString(helper, """
        #!/bin/sh
        read server
        case "$1" in
          get) echo "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"carol\\",\\"Secret\\":\\"from-helper\\"}" ;;
          *) exit 0 ;;
        esac
        """);
    helper.toFile().setExecutable(true);
    Path dir = work.resolve("docker-helper");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), "{\"credHelpers\":{\"registry.example:5000\":\"berthtest\"}}");
    var config = DockerConfig.at(dir).withHelperDirs(List.of(bin));
    Credential c = config.get("registry.example:5000");
    assertEquals("carol", c.username());
    assertEquals("from-helper", c.secret());
    assertTrue(c.source().contains("docker-credential-berthtest"));
    assertTrue(config.get("other.example").anonymous());
  }
}

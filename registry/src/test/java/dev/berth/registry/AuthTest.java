package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.Dockerd;
import dev.berth.testing.tools.Podman;
import dev.berth.testing.tools.Skopeo;
import dev.berth.testing.tools.TempDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * htpasswd Basic auth, the built-in token issuer's Bearer flow and TLS, with per-repository
 * permissions from the YAML config; checked with curl, skopeo, podman and docker through dockerd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthTest {
  Path root;
  Skopeo skopeo;
  Path layout;

  static final String ACCESS = """
        anonymous: [pull]
        access:
          - account: alice
            repository: "team/*"
            actions: [pull, push, delete]
          - account: "*"
            repository: "*"
            actions: [pull]
      """;

  @BeforeAll
  void setUp() throws Exception {
    root = TempDirs.create("registry-auth-");
    String alice = Command.of("htpasswd", "-nbB", "alice", "secret").run().checked().out().strip();
    String bob = Command.of("htpasswd", "-nbB", "bob", "hunter2").run().checked().out().strip();
    Files.writeString(root.resolve("htpasswd"), alice + "\n" + bob + "\n");
    skopeo = Skopeo.create();
    // an OCI layout to push, made by podman from busybox
    Path tar = root.resolve("busybox.tar");
    BusyboxRootfs.create(root.resolve("rootfs")).writeTar(tar);
    try (var podman = Podman.start()) {
      podman.importRootfs(tar, "localhost/busybox:latest");
      podman.save("localhost/busybox:latest", "oci-archive", root.resolve("busybox.oci.tar"));
    }
    layout = root.resolve("layout");
    skopeo.run("copy", "oci-archive:" + root.resolve("busybox.oci.tar"), "oci:" + layout + ":1").checked();
  }

  @AfterAll
  void tearDown() {
    if (skopeo != null) {
      skopeo.close();
    }
    TempDirs.deleteTree(root);
  }

  RegistryServer start(String name, String extra) throws Exception {
    Path dir = root.resolve(name);
    Files.createDirectories(dir);
    Path config = dir.resolve("registry.yml");
    Files.writeString(config, """
        listen: 127.0.0.1:0
        storage:
          root: data
        gc:
          interval: 0
        auth:
          htpasswd: ../htpasswd
        """ + ACCESS + extra);
    return RegistryServer.start(RegistryConfig.read(config));
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void basicAuthWithPerRepositoryPermissions() throws Exception {
    try (var server = start("basic", "")) {
      var http = new Http("http://" + server.hostPort());
      var anon = http.get("/v2/");
      assertEquals(401, anon.status());
      assertEquals("UNAUTHORIZED", anon.errorCode());
      assertEquals("Basic realm=\"berth-registry\"", anon.header("WWW-Authenticate"));
      assertEquals(401, http.withAuthorization(basic("alice", "wrong")).get("/v2/").status());
      assertEquals(401, http.withAuthorization(basic("mallory", "secret")).get("/v2/").status());
      assertEquals(200, http.withAuthorization(basic("alice", "secret")).get("/v2/").status());

      var bobPush = http.withAuthorization(basic("bob", "hunter2")).send("POST", "/v2/team/app/blobs/uploads/", null);
      assertEquals(403, bobPush.status());
      assertEquals("DENIED", bobPush.errorCode());
      assertEquals(401, http.send("POST", "/v2/team/app/blobs/uploads/", null).status(), "anonymous push");
      assertEquals(403, http.withAuthorization(basic("alice", "secret")).send("POST", "/v2/other/app/blobs/uploads/", null).status(),
          "alice pushes to team/* only");

      String ref = "docker://" + server.hostPort() + "/team/app:1";
      skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", "alice:secret", "oci:" + layout + ":1", ref).checked();
      var denied = skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", "bob:hunter2", "oci:" + layout + ":1", ref.replace(":1", ":2"));
      assertFalse(denied.ok());
      // anonymous pull is allowed by auth.anonymous
      assertEquals(200, http.get("/v2/team/app/manifests/1").status());
      skopeo.run("copy", "--src-tls-verify=false", ref, "oci:" + root.resolve("pulled-basic") + ":1").checked();
    }
  }

  @Test
  void tokenFlowWithTheBuiltInIssuer() throws Exception {
    try (var server = start("token", """
          token:
            service: berth-test
            expiry: 5m
        """)) {
      var http = new Http("http://" + server.hostPort());
      var anon = http.get("/v2/");
      assertEquals(401, anon.status());
      assertEquals("Bearer realm=\"http://" + server.hostPort() + "/auth/token\",service=\"berth-test\"", anon.header("WWW-Authenticate"));
      var push = http.send("POST", "/v2/team/app/blobs/uploads/", null);
      assertEquals(401, push.status());
      assertTrue(push.header("WWW-Authenticate").endsWith(",scope=\"repository:team/app:pull,push\""), push.header("WWW-Authenticate"));

      var tokenResponse = http.withAuthorization(basic("alice", "secret"))
          .get("/auth/token?service=berth-test&scope=repository:team/app:pull,push");
      assertEquals(200, tokenResponse.status(), tokenResponse.text());
      String token = tokenResponse.json().path("token").asText();
      assertEquals(token, tokenResponse.json().path("access_token").asText());
      var bearer = http.withAuthorization("Bearer " + token);
      assertEquals(200, bearer.get("/v2/").status());
      assertEquals(202, bearer.send("POST", "/v2/team/app/blobs/uploads/", null).status());
      var otherRepo = bearer.send("POST", "/v2/team/other/blobs/uploads/", null);
      assertEquals(401, otherRepo.status(), "the token is for team/app only");
      assertTrue(otherRepo.header("WWW-Authenticate").contains("error=\"insufficient_scope\""));

      String bobToken = http.withAuthorization(basic("bob", "hunter2"))
          .get("/auth/token?service=berth-test&scope=repository:team/app:pull,push").json().path("token").asText();
      assertEquals(401, http.withAuthorization("Bearer " + bobToken).send("POST", "/v2/team/app/blobs/uploads/", null).status(),
          "bob's token grants pull only");
      String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
      var forgedResponse = http.withAuthorization("Bearer " + forged).get("/v2/");
      assertEquals(401, forgedResponse.status());
      assertTrue(forgedResponse.header("WWW-Authenticate").contains("error=\"invalid_token\""));
      assertEquals(401, http.withAuthorization(basic("alice", "nope")).get("/auth/token?scope=repository:team/app:pull").status());

      // real clients do the whole dance from the 401
      String ref = server.hostPort() + "/team/app:1";
      skopeo.run("copy", "--dest-tls-verify=false", "--dest-creds", "alice:secret", "oci:" + layout + ":1", "docker://" + ref).checked();
      skopeo.run("copy", "--src-tls-verify=false", "docker://" + ref, "oci:" + root.resolve("pulled-token") + ":1").checked();
      try (var dockerd = Dockerd.start()) {
        dockerd.command("login", "-u", "alice", "--password-stdin", server.hostPort())
            .withInput("secret".getBytes(StandardCharsets.UTF_8)).run().checked();
        dockerd.docker("pull", ref).checked();
        dockerd.docker("tag", ref, server.hostPort() + "/team/copy:1").checked();
        var pushed = dockerd.docker("push", server.hostPort() + "/team/copy:1").checked();
        assertTrue(pushed.out().contains("digest: sha256:"), pushed.out());
        dockerd.docker("tag", ref, server.hostPort() + "/elsewhere/copy:1").checked();
        var denied = dockerd.docker("push", server.hostPort() + "/elsewhere/copy:1");
        assertFalse(denied.ok(), "alice may not push outside team/*");
      }
    }
  }

  @Test
  void tlsWithAPemCertificateAndKey() throws Exception {
    Path dir = root.resolve("tls");
    Files.createDirectories(dir.resolve("certs"));
    Command.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(), "-days", "1",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1").run().checked();
    Files.copy(dir.resolve("cert.pem"), dir.resolve("certs/ca.crt"));
    try (var server = start("tls-server", """
        tls:
          certificate: ../tls/cert.pem
          key: ../tls/key.pem
        """)) {
      String url = "https://" + server.hostPort();
      var curl = Command.of("curl", "-sS", "-i", "--cacert", dir.resolve("cert.pem").toString(), url + "/v2/").run().checked().out();
      assertTrue(curl.startsWith("HTTP/1.1 401"), curl);
      assertTrue(curl.contains("Docker-Distribution-API-Version: registry/2.0"), curl);
      var plain = Command.of("curl", "-sS", "http://" + server.hostPort() + "/v2/").run();
      assertFalse(plain.ok() && plain.out().contains("registry"), "plain HTTP is not served on the TLS port");
      String ref = "docker://" + server.hostPort() + "/team/app:tls";
      skopeo.run("copy", "--dest-cert-dir", dir.resolve("certs").toString(), "--dest-creds", "alice:secret", "oci:" + layout + ":1", ref).checked();
      var pulled = skopeo.run("inspect", "--cert-dir", dir.resolve("certs").toString(), ref).checked().out();
      assertNotNull(pulled);
    }
  }
}

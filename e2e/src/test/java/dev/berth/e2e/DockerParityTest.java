package dev.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.Daemon;
import dev.berth.http.HttpClient;
import dev.berth.oci.Json;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.Dockerd;
import dev.berth.testing.tools.ProcessResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * berthd and a real dockerd 20.10 hold the same image (made by dockerd, moved with the stock docker
 * CLI); their Engine API answers are compared field by field at API 1.41, dockerd's newest.
 */
class DockerParityTest {
  static final String IMAGE = "parity/busybox:1";
  @TempDir static Path dir;
  static Dockerd dockerd;
  static Daemon berthd;
  static Path berthSocket;
  static HttpClient toDocker;
  static HttpClient toBerth;

  @BeforeAll
  static void sameImageInBoth() throws Exception {
    Path rootfs = dir.resolve("busybox.tar");
    BusyboxRootfs.create(dir.resolve("rootfs")).writeTar(rootfs);
    dockerd = Dockerd.start();
    berthSocket = dir.resolve("berth.sock");
    berthd = Daemon.start(new Daemon.Config(dir.resolve("berth-root"), List.of("unix://" + berthSocket), null, false));
    dockerd.docker("import", "--change", "CMD [\"sh\"]", "--change", "ENV PATH=/bin", "--message", "parity",
        rootfs.toString(), IMAGE).checked();
    Path saved = dir.resolve("from-docker.tar");
    dockerd.docker("save", "-o", saved.toString(), IMAGE).checked();
    berth("load", "-i", saved.toString()).checked();
    toDocker = HttpClient.unix(dockerd.socket());
    toBerth = HttpClient.unix(berthSocket);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {toDocker, toBerth, berthd, dockerd}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the others
      }
    }
  }

  /** The stock docker CLI against berthd. */
  static ProcessResult berth(String... args) {
    List<String> argv = new ArrayList<>(List.of("docker"));
    argv.addAll(List.of(args));
    return Command.of(argv).withEnv("DOCKER_HOST", "unix://" + berthSocket)
        .withEnv("DOCKER_CONFIG", dir.resolve("docker-cli").toString()).run();
  }

  static JsonNode get(HttpClient client, String path) throws Exception {
    try (var res = client.get(path)) {
      return Json.tree(res.bytes(), path, Integer.MAX_VALUE);
    }
  }

  static void assertSameJson(JsonNode docker, JsonNode berth, String where) {
    assertEquals(fieldNames(docker), fieldNames(berth), where + ": field names");
    assertEquals(docker, berth, where);
  }

  static TreeSet<String> fieldNames(JsonNode n) {
    TreeSet<String> names = new TreeSet<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void imageInspectMatchesDockerField_by_field() throws Exception {
    ObjectNode docker = (ObjectNode) get(toDocker, "/v1.41/images/" + IMAGE + "/json");
    ObjectNode berth = (ObjectNode) get(toBerth, "/v1.41/images/" + IMAGE + "/json");
    // Where the storage drivers keep the layers, and when each daemon got the image, differ by nature.
    for (ObjectNode n : List.of(docker, berth)) {
      ((ObjectNode) n.get("GraphDriver")).remove("Data");
      ((ObjectNode) n.get("GraphDriver")).remove("Name");
      n.remove("Metadata");
    }
    assertSameJson(docker, berth, "GET /images/{name}/json");
  }

  @Test
  void imageListMatchesDocker() throws Exception {
    JsonNode docker = get(toDocker, "/v1.41/images/json");
    JsonNode berth = get(toBerth, "/v1.41/images/json");
    assertEquals(1, docker.size());
    assertEquals(1, berth.size());
    assertSameJson(docker.get(0), berth.get(0), "GET /images/json");
  }

  @Test
  void historyMatchesDocker() throws Exception {
    assertEquals(get(toDocker, "/v1.41/images/" + IMAGE + "/history"), get(toBerth, "/v1.41/images/" + IMAGE + "/history"));
  }

  @Test
  void versionAndInfoHaveDockersFields() throws Exception {
    assertEquals(fieldNames(get(toDocker, "/v1.41/version")), fieldNames(get(toBerth, "/v1.41/version")));
    TreeSet<String> missing = fieldNames(get(toDocker, "/v1.41/info"));
    missing.removeAll(fieldNames(get(toBerth, "/v1.41/info")));
    assertTrue(missing.isEmpty(), "/info lacks " + missing);
  }

  /** Same status; the message is the one Docker 25+ gives, which 20.10 wraps as "no such image: nope: …". */
  @Test
  void missingImageErrorMatchesDocker() throws Exception {
    try (var d = toDocker.get("/v1.41/images/nope/json"); var b = toBerth.get("/v1.41/images/nope/json")) {
      assertEquals(d.status(), b.status());
      String docker = Json.tree(d.bytes(), "docker", 1 << 20).get("message").asText();
      String berth = Json.tree(b.bytes(), "berth", 1 << 20).get("message").asText();
      assertEquals("No such image: nope:latest", berth);
      assertTrue(docker.endsWith(berth), docker);
    }
  }

  @Test
  void berthSaveLoadsIntoDockerWithTheSameId() throws Exception {
    Path saved = dir.resolve("from-berth.tar");
    berth("save", "-o", saved.toString(), IMAGE).checked();
    // dockerd has the image already; a second name shows the load took berth's archive.
    String out = dockerd.docker("load", "-i", saved.toString()).checked().out();
    assertTrue(out.contains("Loaded image: " + IMAGE), out);
    String id = dockerd.docker("image", "inspect", "--format", "{{.Id}}", IMAGE).checked().out().strip();
    assertEquals(berth("image", "inspect", "--format", "{{.Id}}", IMAGE).checked().out().strip(), id);
  }

}

package dev.berth.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.http.HttpClient;
import dev.berth.oci.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EngineApiTest {
  private ApiServerFixture api;

  @BeforeEach
  void start() throws Exception {
    api = new ApiServerFixture();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private HttpClient.Response get(String target) throws Exception {
    return api.client.get(target);
  }

  private static JsonNode json(HttpClient.Response r) throws Exception {
    return Json.tree(r.bytes(), "response", 1 << 24);
  }

  private static List<JsonNode> jsonLines(HttpClient.Response r) throws Exception {
    var out = new ArrayList<JsonNode>();
    for (String line : r.text().split("\r\n")) {
      if (!line.isBlank()) {
        out.add(Json.tree(line.getBytes(StandardCharsets.UTF_8), "stream line", 1 << 20));
      }
    }
    return out;
  }

  /** docker import over the API; returns the new image ID. */
  private String importTar(byte[] tar, String query) throws Exception {
    var r = api.client.request("POST", "/v1.50/images/create?fromSrc=-" + query).body(tar).send();
    assertEquals(200, r.status(), () -> "import: " + r.status());
    List<JsonNode> lines = jsonLines(r);
    assertEquals(1, lines.size());
    String id = lines.getFirst().get("status").asText();
    assertTrue(id.matches("sha256:[0-9a-f]{64}"), id);
    return id;
  }

  @Test
  void pingAnswersOkWithTheHeadersTheCliReads() throws Exception {
    for (String path : List.of("/_ping", "/v1.50/_ping", "/v1.24/_ping")) {
      var r = get(path);
      assertEquals(200, r.status());
      assertEquals("OK", r.text());
      assertEquals("1.50", r.header("API-Version"));
      assertEquals("false", r.header("Docker-Experimental"));
      assertEquals("linux", r.header("Ostype"));
      assertEquals("1", r.header("Builder-Version"));
      assertEquals("no-cache, no-store, must-revalidate", r.header("Cache-Control"));
      assertEquals("no-cache", r.header("Pragma"));
    }
    var head = api.client.request("HEAD", "/_ping").send();
    assertEquals(200, head.status());
    assertEquals("1.50", head.header("Api-Version"));
    assertEquals(0, head.bytes().length);
  }

  @Test
  void versionsOutsideTheRangeAreRefusedWithDockersWords() throws Exception {
    var tooNew = get("/v1.51/version");
    assertEquals(400, tooNew.status());
    assertEquals("client version 1.51 is too new. Maximum supported API version is 1.50",
        json(tooNew).get("message").asText());
    var tooOld = get("/v1.23/images/json");
    assertEquals(400, tooOld.status());
    assertTrue(json(tooOld).get("message").asText().startsWith("client version 1.23 is too old. Minimum supported API version is 1.24"));
    assertEquals(404, get("/vx.y/version").status());
  }

  @Test
  void versionAndInfoDescribeBerthAndTheHost() throws Exception {
    JsonNode v = json(get("/v1.50/version"));
    assertEquals("1.50", v.get("ApiVersion").asText());
    assertEquals("1.24", v.get("MinAPIVersion").asText());
    assertEquals("linux", v.get("Os").asText());
    assertEquals("Engine", v.get("Components").get(0).get("Name").asText());
    assertEquals(Files.readString(java.nio.file.Path.of("/proc/sys/kernel/osrelease")).strip(), v.get("KernelVersion").asText());

    JsonNode info = json(get("/v1.50/info"));
    String id = info.get("ID").asText();
    assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), id);
    assertEquals(id, Files.readString(api.root.resolve("engine-id")).strip(), "the ID is kept under the root");
    assertEquals(api.root.toString(), info.get("DockerRootDir").asText());
    assertEquals(0, info.get("Images").asInt());
    assertEquals(0, info.get("Containers").asInt());
    assertEquals("runc", info.get("DefaultRuntime").asText());
    assertTrue(info.get("Runtimes").has("runc"));
    assertEquals("cgroupfs", info.get("CgroupDriver").asText());
    assertTrue(List.of("1", "2").contains(info.get("CgroupVersion").asText()));
    assertTrue(info.get("NCPU").asInt() >= 1);
    assertTrue(info.get("MemTotal").asLong() > 0);
    assertEquals("[]", info.get("Warnings").toString());
    assertEquals(EngineFacts.engineId(api.root), id, "a second probe keeps the same ID");
  }

  @Test
  void missingImagesAre404WithDockersMessage() throws Exception {
    for (String path : List.of("/images/nope/json", "/v1.50/images/nope/history", "/v1.41/images/nope:1/json")) {
      var r = get(path);
      assertEquals(404, r.status(), path);
      assertTrue(json(r).get("message").asText().startsWith("No such image: nope:"), path);
    }
    assertEquals("No such image: nope:latest", json(api.client.request("DELETE", "/images/nope").send()).get("message").asText());
    assertEquals(404, api.client.request("POST", "/images/nope/tag?repo=x").send().status());
    var save = get("/images/get?names=nope");
    assertEquals(404, save.status(), "a missing image fails before the tar stream starts");
    assertEquals("application/json", save.header("Content-Type"));
  }

  @Test
  void importTagListInspectHistoryAndRemove() throws Exception {
    byte[] tar = Files.readAllBytes(api.busyboxTar());
    String id = importTar(tar, "&repo=busybox:latest&message=hello&changes=ENV%20A%3Db&changes=LABEL%20team%3Dcore");

    JsonNode list = json(get("/v1.50/images/json"));
    assertEquals(1, list.size());
    assertEquals(id, list.get(0).get("Id").asText());
    assertEquals("[\"busybox:latest\"]", list.get(0).get("RepoTags").toString());
    assertEquals("core", list.get(0).get("Labels").get("team").asText());

    var tag = api.client.request("POST", "/v1.50/images/busybox/tag?repo=localhost:5000/team/bb&tag=v1").send();
    assertEquals(201, tag.status());
    JsonNode inspect = json(get("/v1.50/images/localhost:5000/team/bb:v1/json"));
    assertEquals(id, inspect.get("Id").asText());
    assertEquals("hello", inspect.get("Comment").asText());
    assertEquals("[\"A=b\"]", inspect.get("Config").get("Env").toString());
    assertEquals("[\"busybox:latest\",\"localhost:5000/team/bb:v1\"]", inspect.get("RepoTags").toString());
    // Percent-encoded slashes reach the same image.
    assertEquals(id, json(get("/images/localhost%3A5000%2Fteam%2Fbb%3Av1/json")).get("Id").asText());
    // By short ID, as docker does after "docker images".
    assertEquals(id, json(get("/images/" + id.substring(7, 19) + "/json")).get("Id").asText());

    JsonNode history = json(get("/v1.50/images/busybox/history"));
    assertEquals(1, history.size());
    assertEquals(id, history.get(0).get("Id").asText());
    assertEquals("hello", history.get(0).get("Comment").asText());

    JsonNode untag = json(api.client.request("DELETE", "/v1.50/images/localhost:5000/team/bb:v1").send());
    assertEquals("[{\"Untagged\":\"localhost:5000/team/bb:v1\"}]", untag.toString());
    JsonNode delete = json(api.client.request("DELETE", "/v1.50/images/busybox").send());
    assertEquals("[{\"Untagged\":\"busybox:latest\"},{\"Deleted\":\"" + id + "\"}]", delete.toString());
    assertEquals(0, json(get("/images/json")).size());
  }

  @Test
  void removingByIdWithSeveralNamesNeedsForce() throws Exception {
    String id = importTar(Files.readAllBytes(api.busyboxTar()), "&repo=a");
    assertEquals(201, api.client.request("POST", "/images/a/tag?repo=b").send().status());
    var refused = api.client.request("DELETE", "/images/" + id).send();
    assertEquals(409, refused.status());
    assertTrue(json(refused).get("message").asText().contains("must be forced"));
    var forced = json(api.client.request("DELETE", "/images/" + id + "?force=1").send());
    assertEquals(3, forced.size());
    assertEquals(id, forced.get(2).get("Deleted").asText());
  }

  @Test
  void listFiltersDanglingReferenceAndLabel() throws Exception {
    String busybox = importTar(Files.readAllBytes(api.busyboxTar()), "&repo=busybox&changes=LABEL%20kind%3Dplain");
    assertEquals(201, api.client.request("POST", "/images/busybox/tag?repo=localhost:5000/other&tag=1").send().status());
    String dangling = importTar(Files.readAllBytes(api.variantTar()), "");
    assertNotEquals(busybox, dangling);

    JsonNode onlyDangling = json(get("/images/json?filters=" + enc("{\"dangling\":{\"true\":true}}")));
    assertEquals(1, onlyDangling.size());
    assertEquals(dangling, onlyDangling.get(0).get("Id").asText());
    assertEquals("[]", onlyDangling.get(0).get("RepoTags").toString());

    // The requested version shapes the answer: before 1.43 an untagged image shows <none>:<none>.
    JsonNode old = json(get("/v1.41/images/json?filters=" + enc("{\"dangling\":{\"true\":true}}")));
    assertEquals("[\"<none>:<none>\"]", old.get(0).get("RepoTags").toString());
    assertTrue(old.get(0).has("VirtualSize"));
    assertFalse(onlyDangling.get(0).has("VirtualSize"));

    JsonNode notDangling = json(get("/images/json?filters=" + enc("{\"dangling\":[\"false\"]}")));
    assertEquals(1, notDangling.size());
    assertEquals(busybox, notDangling.get(0).get("Id").asText());

    JsonNode byRef = json(get("/images/json?filters=" + enc("{\"reference\":{\"busy*\":true}}")));
    assertEquals(1, byRef.size());
    assertEquals("[\"busybox:latest\"]", byRef.get(0).get("RepoTags").toString(), "only the matching names");
    assertEquals(1, json(get("/images/json?filters=" + enc("{\"reference\":{\"localhost:5000/other:1\":true}}"))).size());
    assertEquals(0, json(get("/images/json?filters=" + enc("{\"reference\":{\"nothing\":true}}"))).size());

    assertEquals(1, json(get("/images/json?filters=" + enc("{\"label\":{\"kind=plain\":true}}"))).size());
    assertEquals(1, json(get("/images/json?filters=" + enc("{\"label\":{\"kind\":true}}"))).size());
    assertEquals(0, json(get("/images/json?filters=" + enc("{\"label\":{\"kind=fancy\":true}}"))).size());

    var bad = get("/images/json?filters=" + enc("{\"colour\":{\"red\":true}}"));
    assertEquals(400, bad.status());
    assertEquals("invalid filter 'colour'", json(bad).get("message").asText());
    assertEquals(400, get("/images/json?filters=" + enc("{\"dangling\":{\"maybe\":true}}")).status());
  }

  @Test
  void saveThenLoadKeepsIdsAndNamesAndStreamsDockerMessages() throws Exception {
    String id = importTar(Files.readAllBytes(api.busyboxTar()), "&repo=busybox");
    assertEquals(201, api.client.request("POST", "/images/busybox/tag?repo=app&tag=v1").send().status());
    var save = get("/v1.50/images/get?names=busybox&names=app:v1");
    assertEquals(200, save.status());
    assertEquals("application/x-tar", save.header("Content-Type"));
    byte[] archive = save.bytes();
    var one = get("/v1.50/images/busybox/get");
    assertEquals(200, one.status());
    assertTrue(one.bytes().length > 0);

    api.client.request("DELETE", "/images/" + id + "?force=1").send().bytes();
    assertEquals(0, json(get("/images/json")).size());

    // Gzip, as docker load accepts.
    var gz = new ByteArrayOutputStream();
    try (var out = new GZIPOutputStream(gz)) {
      out.write(archive);
    }
    var load = api.client.request("POST", "/v1.50/images/load?quiet=1").body(gz.toByteArray()).send();
    assertEquals(200, load.status());
    assertEquals("application/json", load.header("Content-Type"));
    List<String> streamed = jsonLines(load).stream().map(n -> n.get("stream").asText()).toList();
    assertEquals(List.of("Loaded image: busybox:latest\n", "Loaded image: app:v1\n"), streamed);
    JsonNode list = json(get("/images/json"));
    assertEquals(1, list.size());
    assertEquals(id, list.get(0).get("Id").asText(), "the saved archive loads back with the same ID");
  }

  @Test
  void loadOfGarbageIsAnErrorResponseBeforeTheStreamStarts() throws Exception {
    var r = api.client.request("POST", "/images/load").body("not a tar at all".getBytes(StandardCharsets.UTF_8)).send();
    assertEquals(400, r.status());
    assertFalse(json(r).get("message").asText().isEmpty());
  }

  @Test
  void pruneRemovesDanglingThenEverythingWithDanglingFalse() throws Exception {
    String tagged = importTar(Files.readAllBytes(api.busyboxTar()), "&repo=busybox");
    String dangling = importTar(Files.readAllBytes(api.variantTar()), "");
    JsonNode first = json(api.client.request("POST", "/v1.50/images/prune?filters=" + enc("{\"dangling\":{\"true\":true}}")).send());
    assertEquals("[{\"Deleted\":\"" + dangling + "\"}]", first.get("ImagesDeleted").toString());
    assertTrue(first.get("SpaceReclaimed").asLong() > 0);

    JsonNode none = json(api.client.request("POST", "/images/prune").send());
    assertTrue(none.get("ImagesDeleted").isNull());
    assertEquals(0, none.get("SpaceReclaimed").asLong());

    JsonNode kept = json(api.client.request("POST", "/images/prune?filters=" + enc("{\"dangling\":{\"false\":true},\"label\":{\"x\":true}}")).send());
    assertTrue(kept.get("ImagesDeleted").isNull(), "the label filter keeps the unlabelled image");

    JsonNode all = json(api.client.request("POST", "/images/prune?filters=" + enc("{\"dangling\":{\"false\":true}}")).send());
    assertEquals("[{\"Untagged\":\"busybox:latest\"},{\"Deleted\":\"" + tagged + "\"}]", all.get("ImagesDeleted").toString());
    assertEquals(0, json(get("/images/json")).size());
  }

  @Test
  void pullFromAnUnreachableRegistryIsUnavailableAndImportWantsTheBody() throws Exception {
    // Nothing listens on port 1: the pull fails before any byte of the progress stream, naming the registry.
    var pull = api.client.request("POST", "/images/create?fromImage=127.0.0.1:1/nothing&tag=latest").send();
    assertEquals(503, pull.status());
    assertTrue(pull.text().contains("127.0.0.1:1"));
    assertEquals(400, api.client.request("POST", "/images/create?fromSrc=http://example.com/x.tar").send().status());
    var digestRepo = api.client.request("POST", "/images/create?fromSrc=-&repo=a@sha256:" + "0".repeat(64)).body(new byte[0]).send();
    assertEquals(400, digestRepo.status());
  }

  @Test
  void unknownPathsAre404() throws Exception {
    var r = get("/v1.50/nothing/here");
    assertEquals(404, r.status());
    assertEquals("page not found", json(r).get("message").asText());
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}

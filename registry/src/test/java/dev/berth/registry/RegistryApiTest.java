package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.oci.Digest;
import dev.berth.oci.Json;
import dev.berth.testing.tools.TempDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every API point's error cases and the storage's promises: resumable uploads, expiry, online GC. */
class RegistryApiTest {
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  Path root;
  RegistryServer server;
  Http http;

  @BeforeEach
  void start() throws Exception {
    root = TempDirs.create("registry-api-");
    restart(RegistryConfig.local(root));
  }

  void restart(RegistryConfig config) throws Exception {
    if (server != null) {
      server.close();
    }
    server = RegistryServer.start(config);
    http = new Http("http://" + server.hostPort());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    TempDirs.deleteTree(root);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  String pushBlob(String repo, byte[] content) {
    String d = Digest.sha256(content).toString();
    var r = http.send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + d, content);
    assertEquals(201, r.status(), r.text());
    return d;
  }

  /** An image manifest over a config and layers already pushed. */
  static byte[] manifest(String config, byte[] configBytes, String... layers) {
    ObjectNode m = Json.MAPPER.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_MANIFEST);
    m.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json").put("digest", config).put("size", configBytes.length);
    var arr = m.putArray("layers");
    for (String l : layers) {
      arr.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar").put("digest", l).put("size", 1);
    }
    return Json.write(m);
  }

  String pushImage(String repo, String tag, String seed) {
    byte[] cfg = bytes("{\"seed\":\"" + seed + "\"}");
    String c = pushBlob(repo, cfg);
    String l = pushBlob(repo, bytes("L" + seed).length == 0 ? new byte[0] : bytes("L" + seed));
    byte[] m = manifest(c, cfg, l);
    var r = http.send("PUT", "/v2/" + repo + "/manifests/" + tag, m, "Content-Type", OCI_MANIFEST);
    assertEquals(201, r.status(), r.text());
    return r.header("Docker-Content-Digest");
  }

  @Test
  void baseEndpointSaysTheApiVersion() {
    var r = http.get("/v2/");
    assertEquals(200, r.status());
    assertEquals("registry/2.0", r.header("Docker-Distribution-API-Version"));
    var err = http.get("/v2/nope/nothing/here");
    assertEquals("registry/2.0", err.header("Docker-Distribution-API-Version"), "on errors too");
    assertEquals(404, err.status());
    assertNotNull(err.errorCode());
  }

  @Test
  void malformedNamesAndDigestsAre4xxWithSpecCodes() {
    assertEquals("NAME_INVALID", expect(400, http.get("/v2/UPPER/tags/list")));
    assertEquals("NAME_INVALID", expect(400, http.get("/v2/a..b/manifests/latest")));
    assertEquals("NAME_INVALID", expect(400, http.get("/v2/a/_x/manifests/latest")));
    assertEquals("NAME_INVALID", expect(400, http.send("POST", "/v2/-a/blobs/uploads/", null)));
    assertEquals("DIGEST_INVALID", expect(400, http.get("/v2/a/blobs/sha256:abc")));
    assertEquals("DIGEST_INVALID", expect(400, http.get("/v2/a/blobs/md5:" + "0".repeat(32))));
    assertEquals("DIGEST_INVALID", expect(400, http.get("/v2/a/referrers/nodigest:")));
    assertEquals("BLOB_UNKNOWN", expect(404, http.get("/v2/a/blobs/sha256:" + "0".repeat(64))));
    assertEquals("MANIFEST_UNKNOWN", expect(404, http.get("/v2/a/manifests/-bad-tag")));
    assertEquals("BLOB_UPLOAD_UNKNOWN", expect(404, http.get("/v2/a/blobs/uploads/not-a-uuid")));
    assertEquals("BLOB_UPLOAD_UNKNOWN", expect(404, http.send("PATCH", "/v2/a/blobs/uploads/00000000-0000-0000-0000-000000000000", bytes("x"))));
    assertEquals("NAME_UNKNOWN", expect(404, http.get("/v2/never/pushed/tags/list")));
    assertEquals("UNSUPPORTED", expect(405, http.send("POST", "/v2/a/manifests/latest", null)));
  }

  static String expect(int status, Http.Response r) {
    assertEquals(status, r.status(), r.text());
    assertEquals("application/json", r.header("Content-Type"));
    return r.errorCode();
  }

  @Test
  void blobPushChecksTheDigestAndServesRangesAndHead() {
    byte[] content = bytes("0123456789");
    String d = Digest.sha256(content).toString();
    var wrong = http.send("POST", "/v2/a/blobs/uploads/?digest=sha256:" + "1".repeat(64), content);
    assertEquals("DIGEST_INVALID", expect(400, wrong));
    assertFalse(Files.exists(root.resolve("content/blobs/sha256/" + "1".repeat(64))));
    pushBlob("a", content);
    var head = http.head("/v2/a/blobs/" + d);
    assertEquals(200, head.status());
    assertEquals("10", head.header("Content-Length"));
    assertEquals(d, head.header("Docker-Content-Digest"));
    assertEquals(0, head.body().length);
    var range = http.get("/v2/a/blobs/" + d, "Range", "bytes=2-4");
    assertEquals(206, range.status());
    assertEquals("234", range.text());
    assertEquals("bytes 2-4/10", range.header("Content-Range"));
    assertEquals("789", http.get("/v2/a/blobs/" + d, "Range", "bytes=-3").text());
    assertEquals("89", http.get("/v2/a/blobs/" + d, "Range", "bytes=8-").text());
    var bad = http.get("/v2/a/blobs/" + d, "Range", "bytes=10-20");
    assertEquals(416, bad.status());
    assertEquals("bytes */10", bad.header("Content-Range"));
    // blobs are per repository: another repository does not see it until it mounts it
    assertEquals(404, http.get("/v2/b/blobs/" + d).status());
    var mount = http.send("POST", "/v2/b/blobs/uploads/?mount=" + d + "&from=a", null);
    assertEquals(201, mount.status());
    assertEquals(200, http.get("/v2/b/blobs/" + d).status());
    assertEquals(1, countFiles(root.resolve("content/blobs/sha256")), "one copy shared by both");
  }

  static long countFiles(Path dir) {
    try (var s = Files.list(dir)) {
      return s.count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void chunkedUploadStatusCancelAndSizeChecks() {
    var post = http.send("POST", "/v2/a/blobs/uploads/", null);
    assertEquals(202, post.status());
    String loc = post.location();
    assertNotNull(post.header("Docker-Upload-UUID"));
    assertEquals(202, http.send("PATCH", loc, bytes("abc"), "Content-Range", "0-2").status());
    var repeated = http.send("PATCH", loc, bytes("abc"), "Content-Range", "0-2");
    assertEquals("BLOB_UPLOAD_INVALID", expect(416, repeated));
    assertEquals("0-2", repeated.header("Range"));
    var gap = http.send("PATCH", loc, bytes("ef"), "Content-Range", "4-5");
    assertEquals(416, gap.status());
    var lengthMismatch = http.send("PATCH", loc, bytes("de"), "Content-Range", "3-5");
    assertEquals(416, lengthMismatch.status());
    var ok = http.send("PATCH", loc, bytes("de"), "Content-Range", "3-4");
    assertEquals("0-4", ok.header("Range"));
    var status = http.get(loc);
    assertEquals(204, status.status());
    assertEquals("0-4", status.header("Range"));
    var noDigest = http.send("PUT", loc, null);
    assertEquals("DIGEST_INVALID", expect(400, noDigest));
    // another repository cannot use the session
    assertEquals(404, http.get(loc.replace("/v2/a/", "/v2/b/")).status());
    assertEquals(204, http.delete(loc).status());
    assertEquals("BLOB_UPLOAD_UNKNOWN", expect(404, http.get(loc)));
    assertEquals(404, http.delete(loc).status());
  }

  @Test
  void anUploadResumesAfterARestart() throws Exception {
    byte[] content = bytes("first half|second half");
    var post = http.send("POST", "/v2/a/blobs/uploads/", null);
    String loc = post.location();
    assertEquals(202, http.send("PATCH", loc, java.util.Arrays.copyOf(content, 11), "Content-Range", "0-10").status());
    restart(RegistryConfig.local(root));
    var status = http.get(loc);
    assertEquals(204, status.status());
    assertEquals("0-10", status.header("Range"));
    byte[] rest = java.util.Arrays.copyOfRange(content, 11, content.length);
    var put = http.send("PUT", loc + "?digest=" + Digest.sha256(content), rest, "Content-Range", "11-" + (content.length - 1));
    assertEquals(201, put.status(), put.text());
    assertEquals("first half|second half", http.get("/v2/a/blobs/" + Digest.sha256(content)).text());
  }

  @Test
  void uploadSessionsExpire() {
    var post = http.send("POST", "/v2/a/blobs/uploads/", null);
    assertEquals(1, server.registry().uploads().count());
    assertEquals(0, server.registry().expireUploads(Duration.ofHours(1)), "a fresh session stays");
    assertEquals(1, server.registry().expireUploads(Duration.ZERO));
    assertEquals(404, http.get(post.location()).status());
  }

  @Test
  void manifestPutChecksContentAndReferences() {
    byte[] cfg = bytes("{}");
    String c = pushBlob("a", cfg);
    String missing = "sha256:" + "2".repeat(64);
    var unknownBlob = http.send("PUT", "/v2/a/manifests/t", manifest(c, cfg, missing), "Content-Type", OCI_MANIFEST);
    assertEquals("MANIFEST_BLOB_UNKNOWN", expect(400, unknownBlob));
    assertEquals(missing, unknownBlob.json().path("errors").path(0).path("detail").path("digest").asText());
    assertEquals("MANIFEST_INVALID", expect(400, http.send("PUT", "/v2/a/manifests/t", bytes("not json"), "Content-Type", OCI_MANIFEST)));
    assertEquals("MANIFEST_INVALID", expect(400, http.send("PUT", "/v2/a/manifests/t", manifest(c, cfg),
        "Content-Type", "application/vnd.docker.distribution.manifest.v2+json")), "mediaType and Content-Type disagree");
    assertEquals("MANIFEST_INVALID", expect(400, http.send("PUT", "/v2/a/manifests/t", bytes("{\"schemaVersion\":1}"),
        "Content-Type", "application/vnd.docker.distribution.manifest.v1+prettyjws")));
    assertEquals("TAG_INVALID", expect(400, http.send("PUT", "/v2/a/manifests/.bad", manifest(c, cfg), "Content-Type", OCI_MANIFEST)));
    assertEquals("DIGEST_INVALID", expect(400, http.send("PUT", "/v2/a/manifests/sha256:" + "3".repeat(64), manifest(c, cfg),
        "Content-Type", OCI_MANIFEST)));
    byte[] index = bytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\""
        + OCI_MANIFEST + "\",\"digest\":\"" + missing + "\",\"size\":2}]}");
    assertEquals("MANIFEST_BLOB_UNKNOWN", expect(400, http.send("PUT", "/v2/a/manifests/i", index,
        "Content-Type", "application/vnd.oci.image.index.v1+json")));
    var ok = http.send("PUT", "/v2/a/manifests/t", manifest(c, cfg), "Content-Type", OCI_MANIFEST);
    assertEquals(201, ok.status());
    assertNull(ok.header("OCI-Subject"));
  }

  @Test
  void manifestsAreNegotiatedByAccept() {
    String d = pushImage("a", "t", "x");
    assertEquals(200, http.get("/v2/a/manifests/t").status(), "no Accept: anything");
    assertEquals(200, http.get("/v2/a/manifests/t", "Accept", "*/*").status());
    var ok = http.get("/v2/a/manifests/" + d, "Accept", "application/vnd.docker.distribution.manifest.v2+json, " + OCI_MANIFEST);
    assertEquals(200, ok.status());
    assertEquals(OCI_MANIFEST, ok.header("Content-Type"));
    assertEquals(d, Digest.sha256(ok.body()).toString());
    assertEquals("MANIFEST_UNKNOWN", expect(404, http.get("/v2/a/manifests/t", "Accept", "application/vnd.docker.distribution.manifest.v2+json")));
  }

  @Test
  void tagsPaginateWithLinkHeaders() {
    byte[] cfg = bytes("{}");
    String c = pushBlob("a", cfg);
    byte[] m = manifest(c, cfg);
    for (String t : List.of("b", "a", "d", "c", "e")) {
      assertEquals(201, http.send("PUT", "/v2/a/manifests/" + t, m, "Content-Type", OCI_MANIFEST).status());
    }
    var page1 = http.get("/v2/a/tags/list?n=2");
    assertEquals("[\"a\",\"b\"]", page1.json().path("tags").toString());
    assertEquals("</v2/a/tags/list?n=2&last=b>; rel=\"next\"", page1.header("Link"));
    var page3 = http.get("/v2/a/tags/list?n=2&last=d");
    assertEquals("[\"e\"]", page3.json().path("tags").toString());
    assertNull(page3.header("Link"));
    assertEquals("[]", http.get("/v2/a/tags/list?n=0").json().path("tags").toString());
    assertEquals("UNSUPPORTED", expect(400, http.get("/v2/a/tags/list?n=-1")));
    assertEquals("UNSUPPORTED", expect(400, http.get("/v2/a/tags/list?n=x")));
    assertEquals("{\"repositories\":[\"a\"]}", http.get("/v2/_catalog").text());
  }

  @Test
  void deletesCanBeDisabled() throws Exception {
    String d = pushImage("a", "t", "x");
    restart(RegistryConfig.local(root).withDelete(false));
    assertEquals("UNSUPPORTED", expect(405, http.delete("/v2/a/manifests/t")));
    assertEquals("UNSUPPORTED", expect(405, http.delete("/v2/a/manifests/" + d)));
    String cfg = http.get("/v2/a/manifests/t").json().path("config").path("digest").asText();
    assertEquals("UNSUPPORTED", expect(405, http.delete("/v2/a/blobs/" + cfg)));
    assertEquals(200, http.get("/v2/a/manifests/t").status());
  }

  @Test
  void deletesAnswerTheSpecCodes() {
    String d = pushImage("a", "t", "x");
    assertEquals("MANIFEST_UNKNOWN", expect(404, http.delete("/v2/a/manifests/nosuchtag")));
    assertEquals(202, http.delete("/v2/a/manifests/t").status());
    assertEquals(200, http.get("/v2/a/manifests/" + d).status(), "deleting a tag keeps the manifest");
    assertEquals(202, http.delete("/v2/a/manifests/" + d).status());
    assertEquals("MANIFEST_UNKNOWN", expect(404, http.delete("/v2/a/manifests/" + d)));
    assertEquals("BLOB_UNKNOWN", expect(404, http.delete("/v2/a/blobs/sha256:" + "4".repeat(64))));
  }

  @Test
  void garbageCollectionKeepsReferencedAndYoungBlobs() {
    String keep = pushImage("a", "keep", "k");
    String drop = pushImage("a", "drop", "d");
    String dropConfig = http.get("/v2/a/manifests/" + drop).json().path("config").path("digest").asText();
    String keepConfig = http.get("/v2/a/manifests/" + keep).json().path("config").path("digest").asText();
    assertEquals(202, http.delete("/v2/a/manifests/" + drop).status());
    var young = server.registry().collectGarbage(Duration.ofHours(1));
    assertEquals(0, young.blobsDeleted(), "inside the grace period nothing goes");
    var r = server.registry().collectGarbage(Duration.ZERO);
    assertEquals(3, r.blobsDeleted(), "the dropped manifest, its config and its layer: " + r);
    assertEquals(404, http.get("/v2/a/blobs/" + dropConfig).status());
    assertEquals(200, http.get("/v2/a/blobs/" + keepConfig).status());
    assertEquals(200, http.get("/v2/a/manifests/keep").status());
  }

  @Test
  void withNoGracePeriodAPushFailsCleanlyButNeverLeavesAManifestWithoutItsBlobs() throws Exception {
    var stop = new AtomicBoolean();
    var failures = new ConcurrentLinkedQueue<Throwable>();
    var gc = Thread.ofVirtual().start(() -> {
      while (!stop.get()) {
        try {
          server.registry().collectGarbage(Duration.ZERO);
          Thread.sleep(2); // pacing only, so that pushes interleave with the collections
        } catch (Throwable t) {
          failures.add(t);
        }
      }
    });
    var pushed = new ConcurrentLinkedQueue<String[]>();
    var pushers = new ArrayList<Thread>();
    for (int p = 0; p < 4; p++) {
      int id = p;
      pushers.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < 6; i++) {
          byte[] cfg = bytes("{\"p\":" + id + ",\"i\":" + i + "}");
          byte[] layer = bytes("layer " + id + " " + i);
          String c = Digest.sha256(cfg).toString();
          String l = Digest.sha256(layer).toString();
          // With no grace period a blob may go between its upload and the manifest PUT; the PUT
          // then fails cleanly and the client pushes again, as real clients do.
          for (int attempt = 0; attempt < 3; attempt++) {
            http.send("POST", "/v2/gc/p" + id + "/blobs/uploads/?digest=" + c, cfg);
            http.send("POST", "/v2/gc/p" + id + "/blobs/uploads/?digest=" + l, layer);
            var put = http.send("PUT", "/v2/gc/p" + id + "/manifests/t" + i, manifest(c, cfg, l), "Content-Type", OCI_MANIFEST);
            if (put.status() == 201) {
              pushed.add(new String[] {"gc/p" + id, c, l, put.header("Docker-Content-Digest")});
              break;
            } else if (!"MANIFEST_BLOB_UNKNOWN".equals(put.errorCode())) {
              failures.add(new AssertionError("unexpected " + put.status() + " " + put.text()));
              break;
            }
          }
        }
      }));
    }
    for (Thread t : pushers) {
      t.join();
    }
    stop.set(true);
    gc.join();
    assertTrue(failures.isEmpty(), failures.toString());
    for (String[] p : pushed) {
      for (int i = 1; i < 4; i++) {
        String kind = i == 3 ? "manifests" : "blobs";
        assertEquals(200, http.head("/v2/" + p[0] + "/" + kind + "/" + p[i]).status(), "every finished push stays whole: " + p[i]);
      }
    }
  }

  @Test
  void healthAndMetrics() {
    pushImage("a", "t", "x");
    var health = http.get("/healthz");
    assertEquals(200, health.status());
    assertEquals("ok", health.json().path("status").asText());
    String metrics = http.get("/metrics").text();
    assertTrue(metrics.contains("# TYPE berth_registry_http_requests_total counter"), metrics);
    assertTrue(metrics.contains("berth_registry_http_requests_total{method=\"PUT\",route=\"manifest\",code=\"201\"} 1"), metrics);
    assertTrue(metrics.contains("berth_registry_uploads_in_progress 0"), metrics);
  }

  @Test
  void accessLogHasALinePerRequest() throws Exception {
    Path log = root.resolve("access.log");
    restart(RegistryConfig.local(root).withAccessLog(log.toString()));
    http.get("/v2/");
    http.get("/v2/a/manifests/missing");
    server.close();
    var lines = Files.readAllLines(log);
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(lines.get(1).contains("GET /v2/a/manifests/missing 404"), lines.get(1));
  }
}

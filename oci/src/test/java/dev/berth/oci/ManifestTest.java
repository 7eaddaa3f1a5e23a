package dev.berth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
  static final Digest A = Digest.sha256(new byte[] {1});
  static final Digest B = Digest.sha256(new byte[] {2});

  @Test
  void roundTripsWithStableFieldOrder() {
    Manifest m = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, A, 10),
        List.of(Descriptor.of(MediaType.OCI_LAYER_GZIP, B, 20)));
    String json = new String(m.toJson(), StandardCharsets.UTF_8);
    assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
        + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + A + "\",\"size\":10},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + B
        + "\",\"size\":20}]}", json);
    assertEquals(m, Manifest.parse(m.toJson(), "m"));
  }

  @Test
  void badManifestsGetClearErrors() {
    assertTrue(assertThrows(InvalidArgumentException.class, () -> Manifest.parse("{".getBytes(), "manifest x"))
        .getMessage().startsWith("malformed JSON in manifest x"));
    assertTrue(assertThrows(InvalidArgumentException.class,
        () -> Manifest.parse("{\"schemaVersion\":1,\"name\":\"x\"}".getBytes(), "m")).getMessage().contains("schema1"));
    String unknownLayer = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG + "\",\"digest\":\""
        + A + "\",\"size\":1},\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":\"" + B + "\",\"size\":1}]}";
    assertTrue(assertThrows(InvalidArgumentException.class, () -> Manifest.parse(unknownLayer.getBytes(), "m"))
        .getMessage().contains("unknown layer media type \"text/plain\""));
    String badDigest = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaType.OCI_CONFIG
        + "\",\"digest\":\"sha256:zz\",\"size\":1},\"layers\":[]}";
    assertThrows(InvalidArgumentException.class, () -> Manifest.parse(badDigest.getBytes(), "m"));
    byte[] huge = new byte[Json.MAX_MANIFEST_BYTES + 1];
    assertTrue(assertThrows(InvalidArgumentException.class, () -> Manifest.parse(huge, "m"))
        .getMessage().contains("more than the limit"));
  }

  @Test
  void indexSelectsPlatform() {
    Index idx = Index.of(List.of(
        Descriptor.of(MediaType.OCI_MANIFEST, A, 1).withPlatform(Platform.parse("linux/amd64")),
        Descriptor.of(MediaType.OCI_MANIFEST, B, 1).withPlatform(Platform.of("linux", "arm64", null))));
    assertEquals(A, idx.select(Platform.parse("linux/amd64"), "idx").digest());
    assertEquals(B, idx.select(Platform.parse("linux/arm64/v8"), "idx").digest());
    var e = assertThrows(NotFoundException.class, () -> idx.select(Platform.parse("linux/s390x"), "index of x"));
    assertTrue(e.getMessage().contains("linux/s390x"), e.getMessage());
  }

  @Test
  void imageConfigKeepsDockerFields() {
    String json = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],"
        + "\"Labels\":{\"a\":\"b\"},\"StopSignal\":\"SIGQUIT\",\"ExposedPorts\":{\"80/tcp\":{}}},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + A + "\"]},"
        + "\"history\":[{\"created_by\":\"x\",\"empty_layer\":true}]}";
    ImageConfig c = ImageConfig.parse(json.getBytes(), "config");
    assertEquals(List.of("sh"), c.config().cmd());
    assertEquals("SIGQUIT", c.config().stopSignal());
    assertEquals(List.of(A), c.rootfs().diffIds());
    assertTrue(c.history().getFirst().emptyLayer());
    ImageConfig again = ImageConfig.parse(c.toJson(), "again");
    assertEquals(c, again);
    assertThrows(InvalidArgumentException.class,
        () -> ImageConfig.parse("{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(), "config"));
  }
}

package dev.berth.image;

import static dev.berth.image.TestImages.dockerArchive;
import static dev.berth.image.TestImages.image;
import static dev.berth.image.TestImages.ociLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.content.LocalContentStore;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.NotFoundException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Index;
import dev.berth.oci.MediaType;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.testing.tar.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveRoundTripTest {
  @TempDir Path dir;

  ImageStore store(String name) {
    return ImageStore.open(dir.resolve(name), LocalContentStore.at(dir.resolve(name).resolve("content")));
  }

  static LoadResult load(ImageStore s, byte[] tar) {
    return new ArchiveLoader(s).load(new ByteArrayInputStream(tar), "test.tar", null, m -> {});
  }

  @Test
  void ociLayoutLoadsWithItsNameAndDigests() {
    ImageStore s = store("a");
    TestImages.Built img = image("one");
    LoadResult r = load(s, ociLayout(img, "docker.io/library/one:1"));
    Image loaded = r.images().getFirst();
    assertEquals(img.configDigest(), loaded.id());
    assertEquals(img.manifest().digest(), loaded.target().digest());
    assertEquals(List.of(Reference.parse("one:1")), loaded.tags());
    assertEquals(loaded, s.resolve("one:1"));
    assertEquals(loaded.id(), s.resolve(loaded.id().hex().substring(0, 8)).id());
    assertEquals(loaded.id(), s.resolve(loaded.id().toString()).id());
  }

  @Test
  void dockerArchiveLoadsWithConfigDigestAsId() {
    ImageStore s = store("a");
    TestImages.Built img = image("two");
    Image loaded = load(s, dockerArchive(img, List.of("two:latest", "example.com/two:v2"))).images().getFirst();
    assertEquals(img.configDigest(), loaded.id());
    assertEquals(List.of(Reference.parse("two"), Reference.parse("example.com/two:v2")), loaded.tags());
    assertEquals(MediaType.DOCKER_MANIFEST, loaded.target().mediaType());
    assertEquals(img.layers(), loaded.manifest().layers().stream().map(Descriptor::digest).toList());
  }

  @Test
  void gzipCompressedArchivesLoad() {
    ImageStore s = store("a");
    TestImages.Built img = image("gz", Platform.host(), MediaType.OCI_LAYER_GZIP);
    Image loaded = load(s, TestImages.gzip(ociLayout(img, "gz:1"))).images().getFirst();
    assertEquals(img.configDigest(), loaded.id());
  }

  @Test
  void saveWritesBothFormsAndLoadsBackIdentically() throws Exception {
    ImageStore a = store("a");
    TestImages.Built one = image("one");
    TestImages.Built two = image("two");
    load(a, ociLayout(one, "one:1"));
    load(a, dockerArchive(two, List.of("two:2")));
    var out = new ByteArrayOutputStream();
    new ArchiveWriter(a).save(List.of("one:1", "two:2"), out);
    byte[] tar = out.toByteArray();

    List<String> names = new ArrayList<>();
    try (var t = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (var e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
        names.add(e.getName());
      }
    }
    assertTrue(names.containsAll(List.of("index.json", "manifest.json", "oci-layout", "repositories")), names.toString());
    assertTrue(names.contains("blobs/sha256/" + one.manifest().digest().hex()));

    ImageStore b = store("b");
    LoadResult r = load(b, tar);
    assertEquals(2, r.images().size());
    assertEquals(a.resolve("one:1").target(), b.resolve("one:1").target());
    assertEquals(a.resolve("two:2").target().digest(), b.resolve("two:2").target().digest());

    // The docker-archive half alone (manifest.json, no index.json) loads to the same image IDs.
    TarBuilder dockerOnly = new TarBuilder();
    try (var t = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (var e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
        if (e.isFile() && !e.getName().equals("index.json") && !e.getName().equals("oci-layout")) {
          dockerOnly.file(e.getName(), t.readAllBytes());
        }
      }
    }
    ImageStore c = store("c");
    load(c, dockerOnly.build());
    assertEquals(a.resolve("one:1").id(), c.resolve("one:1").id());
    assertEquals(a.resolve("two:2").id(), c.resolve("two:2").id());
  }

  @Test
  void saveIsReproducible() {
    ImageStore a = store("a");
    load(a, ociLayout(image("r"), "r:1"));
    var x = new ByteArrayOutputStream();
    var y = new ByteArrayOutputStream();
    new ArchiveWriter(a).save(List.of("r:1"), x);
    new ArchiveWriter(a).save(List.of("r:1"), y);
    assertTrue(java.util.Arrays.equals(x.toByteArray(), y.toByteArray()));
  }

  @Test
  void multiPlatformIndexPicksHostOrAskedPlatform() {
    ImageStore s = store("a");
    Platform host = Platform.host();
    Platform other = host.architecture().equals("arm64") ? Platform.parse("linux/amd64") : Platform.parse("linux/arm64/v8");
    TestImages.Built mine = image("host", host, MediaType.OCI_LAYER);
    TestImages.Built theirs = image("other", other, MediaType.OCI_LAYER);
    Index nested = Index.of(List.of(mine.manifest().withPlatform(host), theirs.manifest().withPlatform(other)));
    byte[] nb = nested.toJson();
    Map<Digest, byte[]> blobs = new LinkedHashMap<>(mine.blobs());
    blobs.putAll(theirs.blobs());
    blobs.put(Digest.sha256(nb), nb);
    byte[] tar = ociLayout(List.of(TestImages.named(Descriptor.of(MediaType.OCI_INDEX, Digest.sha256(nb), nb.length), "multi:1")), blobs);

    assertEquals(mine.configDigest(), load(s, tar).images().getFirst().id());
    ImageStore t = store("b");
    Image picked = new ArchiveLoader(t).load(new ByteArrayInputStream(tar), "m.tar", other, m -> {}).images().getFirst();
    assertEquals(theirs.configDigest(), picked.id());
    ImageStore u = store("c");
    var e = assertThrows(NotFoundException.class,
        () -> new ArchiveLoader(u).load(new ByteArrayInputStream(tar), "m.tar", Platform.parse("linux/s390x"), m -> {}));
    assertTrue(e.getMessage().contains("linux/s390x"), e.getMessage());
  }

  @Test
  void tagRemoveAndPruneFreeBlobs() {
    ImageStore s = store("a");
    TestImages.Built img = image("t");
    load(s, ociLayout(img, "t:1"));
    s.tag("t:1", Reference.parse("t:2"));
    assertEquals(List.of(Reference.parse("t:1"), Reference.parse("t:2")), s.resolve("t:2").tags());
    var conflict = assertThrows(FailedPreconditionException.class, () -> s.remove(img.configDigest().hex(), false, id -> false));
    assertTrue(conflict.getMessage().contains("must be forced"), conflict.getMessage());
    assertEquals(List.of("t:1"), s.remove("t:1", false, id -> false).untagged());
    assertTrue(s.content().contains(img.manifest().digest()));
    var in = assertThrows(FailedPreconditionException.class, () -> s.remove("t:2", false, id -> true));
    assertTrue(in.getMessage().contains("being used"), in.getMessage());
    var removal = s.remove("t:2", false, id -> false);
    assertEquals(List.of(img.configDigest()), removal.deleted());
    assertTrue(s.content().contains(img.manifest().digest()), "blobs stay until collected");
    assertTrue(s.collectGarbage() > 0);
    assertFalse(s.content().contains(img.manifest().digest()));
    assertTrue(s.list().isEmpty());
  }

  @Test
  void pruneRemovesDanglingOnly() {
    ImageStore s = store("a");
    load(s, ociLayout(image("keep"), "keep:1"));
    TestImages.Built d = image("dangling");
    load(s, ociLayout(List.of(d.manifest()), d.blobs()));
    assertEquals(2, s.list().size());
    var report = s.prune(false, id -> false);
    assertEquals(List.of(d.configDigest()), report.deletedImages());
    assertTrue(report.reclaimedBytes() > 0);
    assertEquals(1, s.list().size());
    assertEquals(1, s.prune(true, id -> false).deletedImages().size());
    assertEquals(0, s.content().list().count());
  }

  @Test
  void namesSurviveReopen() {
    load(store("a"), ociLayout(image("p"), "p:1"));
    assertEquals(List.of(Reference.parse("p:1")), store("a").resolve("p:1").tags());
    assertThrows(NotFoundException.class, () -> store("a").resolve("p"), "a missing tag means latest");
    assertTrue(Files.exists(dir.resolve("a/images.json")));
  }
}

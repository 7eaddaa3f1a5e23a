package dev.berth.image;

import static dev.berth.image.TestImages.image;
import static dev.berth.image.TestImages.ociLayout;
import static dev.berth.image.TestImages.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.content.LocalContentStore;
import dev.berth.errors.BerthException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Json;
import dev.berth.oci.MediaType;
import dev.berth.oci.Reference;
import dev.berth.testing.tar.HostileTars;
import dev.berth.testing.tar.TarBuilder;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad archive gets a clear error and leaves the store byte for byte as it was. */
class BadInputTest {
  @TempDir Path dir;
  ImageStore store;

  @BeforeEach
  void storeWithOneImage() {
    store = ImageStore.open(dir, LocalContentStore.at(dir.resolve("content")));
    new ArchiveLoader(store).load(new ByteArrayInputStream(ociLayout(image("existing"), "existing:1")), "ok.tar", null, m -> {});
  }

  static final TestImages.Built IMG = image("bad");

  static Map<Digest, byte[]> blobsWith(Digest d, byte[] replacement) {
    Map<Digest, byte[]> b = new LinkedHashMap<>(IMG.blobs());
    if (replacement == null) {
      b.remove(d);
    } else {
      b.put(d, replacement);
    }
    return b;
  }

  static byte[] layout(Map<Digest, byte[]> blobs) {
    return ociLayout(List.of(TestImages.named(IMG.manifest(), "bad:1")), blobs);
  }

  static Arguments bad(String name, Supplier<byte[]> archive, String expected) {
    return Arguments.of(name, archive, expected);
  }

  static Stream<Arguments> badArchives() {
    Digest layer = IMG.layers().getFirst();
    byte[] layerBytes = IMG.blobs().get(layer);
    byte[] corrupt = Arrays.copyOf(layerBytes, layerBytes.length);
    corrupt[600] ^= 1;
    byte[] good = ociLayout(IMG, "bad:1");
    byte[] bigManifest = new byte[Json.MAX_MANIFEST_BYTES + 10];
    Arrays.fill(bigManifest, (byte) ' ');
    Digest bigDigest = Digest.sha256(bigManifest);
    return Stream.of(
        bad("corrupt layer blob", () -> layout(blobsWith(layer, corrupt)), "is corrupt: content hashes to"),
        bad("truncated layer blob", () -> layout(blobsWith(layer, Arrays.copyOf(layerBytes, 100))), "descriptor says"),
        bad("truncated archive", () -> Arrays.copyOf(good, good.length / 2), "truncated or corrupt"),
        bad("truncated gzip", () -> { byte[] gz = TestImages.gzip(good); return Arrays.copyOf(gz, gz.length - 50); }, "test.tar"),
        bad("manifest points to a missing blob", () -> layout(blobsWith(IMG.configDigest(), null)), "is not in the archive"),
        bad("descriptor size does not match", () -> ociLayout(List.of(new Descriptor(MediaType.OCI_MANIFEST,
            IMG.manifest().digest(), IMG.manifest().size() + 1, null, null, null, null)), IMG.blobs()), "descriptor says"),
        bad("malformed index.json", () -> new TarBuilder().file("oci-layout", "{}").file("index.json", "{\"schemaVersion\":2,").build(),
            "malformed JSON in index.json"),
        bad("malformed manifest.json", () -> new TarBuilder().file("manifest.json", "[{\"Config\":").build(), "malformed JSON in manifest.json"),
        bad("malformed manifest", () -> { byte[] m = utf8("{not json"); Map<Digest, byte[]> b = new LinkedHashMap<>(IMG.blobs());
            b.put(Digest.sha256(m), m);
            return ociLayout(List.of(Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256(m), m.length)), b); }, "malformed JSON in manifest"),
        bad("oversized manifest", () -> { Map<Digest, byte[]> b = new LinkedHashMap<>(IMG.blobs()); b.put(bigDigest, bigManifest);
            return ociLayout(List.of(Descriptor.of(MediaType.OCI_MANIFEST, bigDigest, bigManifest.length)), b); }, "more than the limit"),
        bad("unknown media type", () -> ociLayout(List.of(IMG.manifest().withMediaType("application/x-unknown")), IMG.blobs()),
            "unknown media type \"application/x-unknown\""),
        bad("schema1 manifest", () -> ociLayout(List.of(IMG.manifest().withMediaType(MediaType.DOCKER_MANIFEST_V1_SIGNED)), IMG.blobs()),
            "schema1"),
        bad("neither format", () -> new TarBuilder().file("hello.txt", "hi").build(), "neither a docker-archive"),
        bad("entry with ..", HostileTars::dotDotEntry, "escapes"),
        bad("absolute entry", HostileTars::absolutePath, "absolute"),
        bad("symlink escaping the archive", () -> new TarBuilder().symlink("manifest.json", "../../etc/passwd").build(), "outside"),
        bad("hardlink escaping the archive", HostileTars::hardlinkOutside, "hostname"),
        bad("docker-archive layer not matching its diff_id", () -> {
            byte[] tar = TestImages.dockerArchive(IMG, List.of("bad:1"));
            return TestImages.dockerArchive(new TestImages.Built(blobsWith(layer, corrupt), IMG.manifest(), IMG.configDigest(),
                List.of(layer), IMG.platform()), List.of("bad:1")).length > 0
                ? swapLayer(IMG, corrupt) : tar; }, "diff_id"));
  }

  /** A docker-archive whose layer file holds other bytes than the config's diff_id promises. */
  static byte[] swapLayer(TestImages.Built img, byte[] otherLayer) {
    String cfgName = img.configDigest().hex() + ".json";
    return new TarBuilder().file(cfgName, img.blobs().get(img.configDigest())).file("l/layer.tar", otherLayer)
        .file("manifest.json", "[{\"Config\":\"" + cfgName + "\",\"RepoTags\":[\"bad:1\"],\"Layers\":[\"l/layer.tar\"]}]").build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badArchives")
  void badArchiveIsRefusedAndStoreUnchanged(String name, Supplier<byte[]> archive, String expected) throws Exception {
    Map<String, String> before = TestImages.snapshot(dir);
    byte[] tar = archive.get();
    var e = assertThrows(BerthException.class,
        () -> new ArchiveLoader(store).load(new ByteArrayInputStream(tar), "test.tar", null, m -> {}));
    assertTrue(e.getMessage().contains(expected), name + ": " + e.getMessage());
    assertTrue(e.getMessage().contains("test.tar") || e.getMessage().contains("tar entry"), name + " names the input: " + e.getMessage());
    assertEquals(before, TestImages.snapshot(dir), name + " left the store changed");
    assertEquals(1, store.list().size());
  }

  static Stream<Arguments> hostileRootfs() {
    return Stream.of(
        Arguments.of("dotDotEntry", HostileTars.dotDotEntry()),
        Arguments.of("dotDotInMiddle", HostileTars.dotDotInMiddle()),
        Arguments.of("absolutePath", HostileTars.absolutePath()),
        Arguments.of("symlinkEscapeThenWrite", HostileTars.symlinkEscapeThenWrite()),
        Arguments.of("hardlinkOutside", HostileTars.hardlinkOutside()),
        Arguments.of("hardlinkAbsolute", HostileTars.hardlinkAbsolute()),
        Arguments.of("hardlinkThroughSymlink", HostileTars.hardlinkThroughSymlink()),
        Arguments.of("symlinkChain", HostileTars.symlinkChain()),
        Arguments.of("symlinkLoop", HostileTars.symlinkLoop()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileRootfs")
  void hostileRootfsIsNotImported(String name, byte[] tar) throws Exception {
    Map<String, String> before = TestImages.snapshot(dir);
    var e = assertThrows(BerthException.class, () -> new RootfsImporter(store).importRootfs(new ByteArrayInputStream(tar),
        new RootfsImporter.Request("evil.tar", Reference.parse("evil:1"), List.of(), null, null)));
    assertTrue(e.getMessage().startsWith("importing evil.tar: tar entry"), name + ": " + e.getMessage());
    assertEquals(before, TestImages.snapshot(dir), name + " left the store changed");
  }

  @Test
  void absoluteSymlinkInsideRootfsIsFine() {
    Image i = new RootfsImporter(store).importRootfs(new ByteArrayInputStream(HostileTars.symlinkAbsoluteThenWrite()),
        new RootfsImporter.Request("abs.tar", Reference.parse("abs:1"), List.of("CMD [\"sh\"]"), null, null));
    assertEquals(List.of("sh"), i.config().config().cmd());
  }
}

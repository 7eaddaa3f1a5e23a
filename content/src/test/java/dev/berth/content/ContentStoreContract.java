package dev.berth.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link ContentStore} must have (containerd {@code core/content/testsuite}).
 * Implementations subclass this and say how to open a store in a directory; the "no trace" checks
 * compare every file under that directory before and after a failed write.
 */
public abstract class ContentStoreContract {

  @TempDir protected Path dir;
  protected ContentStore store;

  /** Opens (or reopens) the store kept in {@code dir}. */
  protected abstract ContentStore open(Path dir);

  @BeforeEach
  void openStore() {
    store = open(dir);
  }

  // ---- provider / ingester basics

  @Test
  void writtenBytesReadBack() throws IOException {
    byte[] hello = "hello, berth\n".getBytes(StandardCharsets.UTF_8);
    BlobInfo info = store.write(hello);

    assertEquals(new BlobInfo(Digest.sha256(hello), hello.length), info);
    assertEquals(info, store.info(info.digest()).orElseThrow());
    assertTrue(store.contains(info.digest()));
    try (InputStream in = store.open(info.digest())) {
      assertArrayEquals(hello, in.readAllBytes());
    }
    assertArrayEquals(hello, store.readAllBytes(info.digest()));
    assertArrayEquals(hello, Files.readAllBytes(store.path(info.digest())));
  }

  @Test
  void emptyBlobIsABlob() {
    BlobInfo info = store.write(new byte[0]);
    assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", info.digest().toString());
    assertEquals(0, store.info(info.digest()).orElseThrow().size());
  }

  @Test
  void missingBlobIsNotFoundNamingTheDigest() {
    Digest missing = Digest.sha256("nothing".getBytes(StandardCharsets.UTF_8));
    var e = assertThrows(NotFoundException.class, () -> store.open(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(store.info(missing).isEmpty());
    assertFalse(store.contains(missing));
    assertThrows(NotFoundException.class, () -> store.path(missing));
    assertThrows(NotFoundException.class, () -> store.verify(missing));
  }

  @Test
  void streamedWriteWithExpectedDigestAndSize() {
    byte[] data = randomBytes(300_000, 1);
    Digest d = Digest.sha256(data);
    assertEquals(new BlobInfo(d, data.length), store.write(new ByteArrayInputStream(data), d, data.length));
    assertEquals(new BlobInfo(d, data.length), store.write(new ByteArrayInputStream(data), null, -1));
    assertArrayEquals(data, store.readAllBytes(d));
  }

  @Test
  void writerCommitsWhatWasWritten() throws IOException {
    byte[] data = randomBytes(1 << 20, 2);
    BlobInfo info;
    try (ContentWriter w = store.writer()) {
      // Mixed write sizes: single bytes, small chunks and a chunk larger than any internal buffer.
      w.write(data[0]);
      w.write(data, 1, 99);
      w.write(data, 100, data.length - 100);
      assertEquals(data.length, w.size());
      info = w.commit();
    }
    assertEquals(new BlobInfo(Digest.sha256(data), data.length), info);
    assertArrayEquals(data, store.readAllBytes(info.digest()));
  }

  // ---- manager

  @Test
  void listTotalSizeAndDelete() {
    BlobInfo a = store.write(randomBytes(10, 3));
    BlobInfo b = store.write(randomBytes(2000, 4));
    BlobInfo c = store.write(randomBytes(30_000, 5));

    assertEquals(Set.of(a, b, c), store.list().collect(Collectors.toSet()));
    assertEquals(32_010, store.totalSize());

    assertTrue(store.delete(b.digest()));
    assertFalse(store.delete(b.digest()), "deleting twice reports that nothing was there");
    assertFalse(store.contains(b.digest()));
    assertEquals(Set.of(a, c), store.list().collect(Collectors.toSet()));
    assertEquals(30_010, store.totalSize());
  }

  @Test
  void blobsSurviveReopening() {
    BlobInfo a = store.write(randomBytes(1234, 6));
    ContentStore again = open(dir);
    assertEquals(List.of(a), again.list().toList());
    assertArrayEquals(store.readAllBytes(a.digest()), again.readAllBytes(a.digest()));
  }

  // ---- verify, then commit: failures leave no trace

  @Test
  void digestMismatchIsRejectedAndLeavesNoTrace() throws IOException {
    store.write(randomBytes(100, 7)); // something already there, which must stay
    List<String> before = files();
    byte[] data = randomBytes(5000, 8);
    Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));

    var e = assertThrows(InvalidArgumentException.class,
        () -> store.write(new ByteArrayInputStream(data), wrong, data.length));
    assertTrue(e.getMessage().contains(wrong.toString()), "names the expected digest: " + e.getMessage());
    assertTrue(e.getMessage().contains(Digest.sha256(data).toString()), "names the actual digest: " + e.getMessage());
    assertEquals(before, files());
    assertFalse(store.contains(Digest.sha256(data)));
  }

  @Test
  void sizeMismatchIsRejectedAndLeavesNoTrace() throws IOException {
    List<String> before = files();
    byte[] data = randomBytes(5000, 9);
    try (ContentWriter w = store.writer()) {
      w.write(data);
      var e = assertThrows(InvalidArgumentException.class, () -> w.commit(Digest.sha256(data), 4999));
      assertTrue(e.getMessage().contains("4999") && e.getMessage().contains("5000"), e.getMessage());
    }
    assertEquals(before, files());
    // Input longer than announced is refused too, without reading it all.
    assertThrows(InvalidArgumentException.class, () -> store.write(new ByteArrayInputStream(data), null, 10));
    assertEquals(before, files());
    assertEquals(0, store.list().count());
  }

  @Test
  void truncatedInputIsRejectedAndLeavesNoTrace() throws IOException {
    List<String> before = files();
    byte[] data = randomBytes(100_000, 10);
    Digest d = Digest.sha256(data);
    // A connection that drops half-way: a clean end of stream, but too early.
    var half = new ByteArrayInputStream(data, 0, data.length / 2);

    var e = assertThrows(InvalidArgumentException.class, () -> store.write(half, d, data.length));
    assertTrue(e.getMessage().contains("100000") && e.getMessage().contains("50000"), e.getMessage());
    assertEquals(before, files());
    assertFalse(store.contains(d));
  }

  @Test
  void closingWithoutCommitDiscards() throws IOException {
    List<String> before = files();
    try (ContentWriter w = store.writer()) {
      w.write(randomBytes(70_000, 11));
    }
    assertEquals(before, files());
    assertEquals(0, store.list().count());
  }

  @Test
  void committedWriterCannotBeReused() throws IOException {
    try (ContentWriter w = store.writer()) {
      w.write(1);
      w.commit();
      assertThrows(IOException.class, () -> w.write(2));
      assertThrows(IllegalStateException.class, w::commit);
    }
  }

  // ---- existing blobs and concurrency

  @Test
  void writingAnExistingBlobIsSuccess() throws IOException {
    byte[] data = randomBytes(4096, 12);
    BlobInfo first = store.write(data);
    List<String> after = files();

    assertEquals(first, store.write(data));
    assertEquals(first, store.write(new ByteArrayInputStream(data), first.digest(), data.length));
    try (ContentWriter w = store.writer()) {
      w.write(data);
      assertEquals(first, w.commit(first.digest(), data.length));
    }
    assertEquals(after, files(), "the second copies are dropped");
  }

  @Test
  void concurrentWritersOfTheSameBlobAllSucceed() throws Exception {
    byte[] data = randomBytes(1 << 20, 13);
    Digest d = Digest.sha256(data);
    int writers = 16;
    // Everyone has written all bytes before anyone commits, so the renames really race.
    var allWritten = new CyclicBarrier(writers);
    List<Future<BlobInfo>> results = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < writers; i++) {
        results.add(pool.submit(() -> {
          try (ContentWriter w = store.writer()) {
            w.write(data);
            allWritten.await();
            return w.commit(d, data.length);
          }
        }));
      }
    }
    for (Future<BlobInfo> r : results) {
      assertEquals(new BlobInfo(d, data.length), r.get());
    }
    assertEquals(List.of(new BlobInfo(d, data.length)), store.list().toList());
    assertArrayEquals(data, store.readAllBytes(d));
    store.verify(d);
  }

  // ---- algorithms

  @Test
  void sha512BlobsWork() throws IOException {
    byte[] data = randomBytes(10_000, 14);
    Digest d512 = Digest.of(DigestAlgorithm.SHA512, data);

    assertEquals(new BlobInfo(d512, data.length), store.write(new ByteArrayInputStream(data), d512, data.length));
    try (ContentWriter w = store.writer(DigestAlgorithm.SHA512)) {
      w.write(data);
      assertEquals(new BlobInfo(d512, data.length), w.commit());
    }
    assertArrayEquals(data, store.readAllBytes(d512));
    assertEquals(new BlobInfo(d512, data.length), store.verify(d512));
    assertFalse(store.contains(Digest.sha256(data)), "stored under its sha512 digest only");
    assertEquals(List.of(new BlobInfo(d512, data.length)), store.list().toList());
  }

  @Test
  void commitWithAnotherAlgorithmThanTheWriterRehashes() throws IOException {
    byte[] data = randomBytes(10_000, 15);
    Digest d512 = Digest.of(DigestAlgorithm.SHA512, data);
    try (ContentWriter w = store.writer()) { // hashing sha256
      w.write(data);
      assertEquals(new BlobInfo(d512, data.length), w.commit(d512, -1));
    }
    assertTrue(store.contains(d512));
  }

  // ---- verify

  @Test
  void verifyDetectsCorruption() throws IOException {
    byte[] data = randomBytes(1000, 16);
    BlobInfo info = store.write(data);
    assertEquals(info, store.verify(info.digest()));

    Path file = store.path(info.digest());
    file.toFile().setWritable(true); // committed blobs are read-only; simulate a disk fault
    byte[] bad = data.clone();
    bad[500] ^= 1;
    Files.write(file, bad);

    var e = assertThrows(InvalidArgumentException.class, () -> store.verify(info.digest()));
    assertEquals("blob " + info.digest() + " is corrupt: content hashes to " + Digest.sha256(bad), e.getMessage());
  }

  // ---- helpers

  /** Every file and directory under the store's directory, relative and sorted. */
  protected List<String> files() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  protected static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}

package dev.berth.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LocalContentStoreTest extends ContentStoreContract {

  @Override
  protected ContentStore open(Path dir) {
    return LocalContentStore.at(dir);
  }

  @Test
  void layoutIsTheOciImageLayoutBlobLayout() throws IOException {
    BlobInfo info = store.write("layout".getBytes());
    Path blob = dir.resolve("blobs/sha256/" + info.digest().hex());
    assertEquals(blob, store.path(info.digest()));
    assertTrue(Files.isRegularFile(blob));
    assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(blob)),
        "committed blobs are read-only");
    assertEquals(List.of(), ingestFiles(), "no temp file after commit");
  }

  @Test
  void strayFilesInBlobsAreNotListed() throws IOException {
    BlobInfo info = store.write("real".getBytes());
    Files.writeString(dir.resolve("blobs/sha256/notes.txt"), "not a blob");
    Files.writeString(dir.resolve("blobs/sha256/" + info.digest().hex() + "~"), "editor backup");
    assertEquals(List.of(info), store.list().toList());
  }

  @Test
  void reopeningKeepsTheTempOfAWriterStillOpenInThisProcess() throws IOException {
    try (ContentWriter w = store.writer()) {
      w.write(randomBytes(1000, 1));
      w.flush();
      LocalContentStore.at(dir); // e.g. a second component opening the same root
      assertEquals(1, ingestFiles().size());
      BlobInfo info = w.commit();
      assertTrue(store.contains(info.digest()));
    }
  }

  @Test
  void reopeningRemovesLeftoversOfDeadProcesses() throws IOException {
    // A pid that cannot be alive (pid_max on Linux is at most 2^22), and a file of unknown shape.
    Files.write(dir.resolve("ingest/4194305-0000.tmp"), new byte[100]);
    Files.write(dir.resolve("ingest/junk"), new byte[10]);
    LocalContentStore.at(dir);
    assertEquals(List.of(), ingestFiles());
  }

  @Test
  void aKilledWriterLeavesNoBlobAndNoTemp() throws Exception {
    Process child = Jvm.start(HalfWriteMain.class, List.of(), dir.toString());
    try {
      var out = new BufferedReader(new InputStreamReader(child.getInputStream()));
      assertEquals("HALF WRITTEN", out.readLine());
      assertEquals(1, ingestFiles().size(), "the child's half-written temp file");
      LocalContentStore.at(dir); // the child is alive: its temp is not ours to remove
      assertEquals(1, ingestFiles().size());
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    assertFalse(child.isAlive());

    ContentStore reopened = LocalContentStore.at(dir);
    assertEquals(List.of(), reopened.list().toList());
    assertEquals(List.of(), ingestFiles());
  }

  @Test
  void twoHundredMegabytesStreamThroughASmallHeap() throws Exception {
    int mib = 200;
    // 32 MiB of heap: a store that buffered the blob would die of OutOfMemoryError.
    Process child = Jvm.start(BigWriteMain.class, List.of("-Xmx32m"), dir.toString(), Integer.toString(mib));
    String line = new String(child.getInputStream().readAllBytes()).strip();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, child.exitValue(), "child output: " + line);

    String[] parts = line.split(" ");
    Digest d = Digest.parse(parts[0]);
    long size = Long.parseLong(parts[1]);
    long nanos = Long.parseLong(parts[2]);
    assertEquals((long) mib << 20, size);
    assertEquals(new BlobInfo(d, size), store.verify(d));
    assertEquals(List.of(), ingestFiles());
    System.out.printf("content: wrote %d MiB in %d ms = %.0f MiB/s (sha256 + fsync)%n",
        mib, nanos / 1_000_000, mib / (nanos / 1e9));
  }

  private List<String> ingestFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("ingest"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}

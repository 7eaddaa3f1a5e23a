package dev.berth.content;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A content store in a directory, laid out as the blobs of an OCI image layout:
 *
 * <pre>
 * root/blobs/sha256/&lt;hex&gt;    committed blobs, read-only, complete and verified
 * root/ingest/&lt;pid&gt;-&lt;id&gt;.tmp  blobs being written (same filesystem, so the final rename is atomic)
 * </pre>
 *
 * Temp files carry the writing process's id, so that opening the store can remove those of a process
 * that died mid-write without touching those of a live one. Any number of writers, in this process or
 * others, may write the same blob at once: each writes its own temp file and renames it into place.
 */
public final class LocalContentStore implements ContentStore {

  private static final String TEMP_SUFFIX = ".tmp";
  private static final long PID = ProcessHandle.current().pid();
  // Temp files of writers still open in this JVM: a second store opened on the same root must not
  // mistake them for leftovers.
  private static final Set<Path> LIVE_TEMPS = ConcurrentHashMap.newKeySet();

  private final Path root;
  private final Path blobs;
  private final Path ingest;

  private LocalContentStore(Path root) {
    this.root = root;
    this.blobs = root.resolve("blobs");
    this.ingest = root.resolve("ingest");
  }

  /** Opens (creating if needed) the store at {@code root} and removes temp files of dead writers. */
  public static LocalContentStore at(Path root) {
    var store = new LocalContentStore(root.toAbsolutePath().normalize());
    try {
      Files.createDirectories(store.blobs);
      Files.createDirectories(store.ingest);
      store.removeStaleTemps();
    } catch (IOException e) {
      throw new UncheckedIOException("opening content store " + root + ": " + e.getMessage(), e);
    }
    return store;
  }

  public Path root() {
    return root;
  }

  // ---- provider

  @Override
  public InputStream open(Digest digest) {
    try {
      return Files.newInputStream(blobPath(digest));
    } catch (NoSuchFileException e) {
      throw notFound(digest);
    } catch (IOException e) {
      throw new UncheckedIOException("opening blob " + digest + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<BlobInfo> info(Digest digest) {
    try {
      return Optional.of(new BlobInfo(digest, Files.size(blobPath(digest))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("reading blob info " + digest + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean contains(Digest digest) {
    return Files.isRegularFile(blobPath(digest));
  }

  @Override
  public Path path(Digest digest) {
    Path p = blobPath(digest);
    if (!Files.isRegularFile(p)) {
      throw notFound(digest);
    }
    return p;
  }

  // ---- ingester

  @Override
  public ContentWriter writer(DigestAlgorithm algorithm) {
    Path temp = ingest.resolve(PID + "-" + UUID.randomUUID() + TEMP_SUFFIX);
    LIVE_TEMPS.add(temp); // before the file exists, so a concurrent cleanup never sees it unregistered
    try {
      return new LocalWriter(algorithm, temp, FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    } catch (IOException e) {
      LIVE_TEMPS.remove(temp);
      throw new UncheckedIOException("starting blob write in " + ingest + ": " + e.getMessage(), e);
    }
  }

  @Override
  public BlobInfo write(InputStream in, Digest expected, long expectedSize) {
    if (expected != null) {
      // Nothing to read if we hold it already; the caller still owns (and closes) the stream.
      Optional<BlobInfo> have = info(expected);
      if (have.isPresent()) {
        checkSize(expected, expectedSize, have.get().size());
        return have.get();
      }
    }
    try (ContentWriter w = writer(expected != null ? expected.algorithm() : DigestAlgorithm.SHA256)) {
      byte[] buf = new byte[1 << 17];
      for (int n; (n = in.read(buf)) > 0; ) {
        w.write(buf, 0, n);
        if (expectedSize >= 0 && w.size() > expectedSize) {
          // Fail fast instead of spooling an unbounded stream to disk.
          throw new InvalidArgumentException("writing blob" + (expected != null ? " " + expected : "")
              + ": size mismatch: expected " + expectedSize + " bytes, got more");
        }
      }
      return w.commit(expected, expectedSize);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "writing blob" + (expected != null ? " " + expected : "") + ": " + e.getMessage(), e);
    }
  }

  @Override
  public BlobInfo write(byte[] bytes) {
    Digest digest = Digest.sha256(bytes);
    Optional<BlobInfo> have = info(digest);
    if (have.isPresent()) {
      return have.get();
    }
    try (ContentWriter w = writer()) {
      w.write(bytes);
      return w.commit(digest, bytes.length);
    } catch (IOException e) {
      throw new UncheckedIOException("writing blob " + digest + ": " + e.getMessage(), e);
    }
  }

  // ---- manager

  @Override
  public Stream<BlobInfo> list() {
    // Collected eagerly so callers need not close the stream to release directory handles.
    List<BlobInfo> out = new ArrayList<>();
    for (DigestAlgorithm alg : DigestAlgorithm.values()) {
      Path dir = blobs.resolve(alg.id());
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          String hex = f.getFileName().toString();
          if (!Digest.isValidHex(alg, hex)) {
            continue; // not ours (an editor's backup, a stray file): not a blob
          }
          try {
            out.add(new BlobInfo(new Digest(alg, hex), Files.size(f)));
          } catch (NoSuchFileException deletedMeanwhile) {
            // fine: listing is a snapshot
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("listing blobs in " + dir + ": " + e.getMessage(), e);
      }
    }
    return out.stream();
  }

  @Override
  public boolean delete(Digest digest) {
    try {
      return Files.deleteIfExists(blobPath(digest));
    } catch (IOException e) {
      throw new UncheckedIOException("deleting blob " + digest + ": " + e.getMessage(), e);
    }
  }

  // ---- internals

  private Path blobPath(Digest digest) {
    // Safe as a file name: Digest admits only lowercase hex of the algorithm's exact length.
    return blobs.resolve(digest.algorithm().id()).resolve(digest.hex());
  }

  private static NotFoundException notFound(Digest digest) {
    return new NotFoundException("blob " + digest + " not found");
  }

  private void removeStaleTemps() throws IOException {
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(ingest)) {
      for (Path t : temps) {
        if (isStale(t)) {
          Files.deleteIfExists(t);
        }
      }
    }
  }

  private static boolean isStale(Path temp) {
    if (LIVE_TEMPS.contains(temp)) {
      return false;
    }
    String name = temp.getFileName().toString();
    int dash = name.indexOf('-');
    if (!name.endsWith(TEMP_SUFFIX) || dash <= 0) {
      return true; // not a temp file we would create: nothing in ingest/ is ever a blob
    }
    long pid;
    try {
      pid = Long.parseLong(name.substring(0, dash));
    } catch (NumberFormatException e) {
      return true;
    }
    // Our own pid but not registered: left by an earlier process that had the same pid (e.g. before a
    // reboot). Another live pid may be a writer in another process: leave it.
    return pid == PID || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
  }

  private static void checkSize(Digest digest, long expectedSize, long actualSize) {
    if (expectedSize >= 0 && expectedSize != actualSize) {
      throw new InvalidArgumentException(
          "blob " + digest + " size mismatch: expected " + expectedSize + " bytes, got " + actualSize);
    }
  }


  private static void fsyncDirectory(Path dir) throws IOException {
    // Makes the rename itself durable; on Linux a directory can be opened read-only and fsynced.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private final class LocalWriter extends ContentWriter {
    private final DigestAlgorithm algorithm;
    private final MessageDigest md;
    private final Path temp;
    private final FileChannel channel;
    // Small writes (single bytes, short headers) are gathered so each syscall carries a useful amount.
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 18);
    private long size;
    private boolean closed;

    LocalWriter(DigestAlgorithm algorithm, Path temp, FileChannel channel) {
      this.algorithm = algorithm;
      this.md = algorithm.newMessageDigest();
      this.temp = temp;
      this.channel = channel;
    }

    @Override
    public DigestAlgorithm algorithm() {
      return algorithm;
    }

    @Override
    public byte[] contentSoFar() {
      try {
        flush();
        return Files.readAllBytes(temp);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("reading back " + temp + ": " + e.getMessage(), e);
      }
    }

    @Override
    public Digest digest() {
      try {
        return Digest.of(algorithm, (MessageDigest) md.clone());
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("the JDK's digests are cloneable", e);
      }
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void write(int b) throws IOException {
      ensureOpen();
      if (!buffer.hasRemaining()) {
        drain();
      }
      buffer.put((byte) b);
      md.update((byte) b);
      size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      Objects.checkFromIndexSize(off, len, b.length);
      md.update(b, off, len);
      size += len;
      if (len >= buffer.capacity()) {
        drain();
        writeFully(ByteBuffer.wrap(b, off, len));
        return;
      }
      if (len > buffer.remaining()) {
        drain();
      }
      buffer.put(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      ensureOpen();
      drain();
    }

    @Override
    public BlobInfo commit(Digest expected, long expectedSize) {
      String subject = expected != null ? "committing blob " + expected : "committing blob";
      if (closed) {
        throw new IllegalStateException(subject + ": the writer is closed or committed already");
      }
      try {
        drain();
        channel.force(true); // data before rename: a crash must not expose a renamed, empty file
        channel.close();
        Digest actual = Digest.of(algorithm, md);
        if (expected != null && expected.algorithm() != algorithm) {
          actual = rehash(expected.algorithm());
        }
        if (expectedSize >= 0 && expectedSize != size) {
          throw new InvalidArgumentException(subject + ": size mismatch: expected " + expectedSize
              + " bytes, got " + size + " bytes (content hashes to " + actual + ")");
        }
        if (expected != null && !expected.equals(actual)) {
          throw new InvalidArgumentException(subject + ": digest mismatch: expected " + expected
              + ", content hashes to " + actual + " (" + size + " bytes)");
        }
        Path dir = blobs.resolve(actual.algorithm().id());
        Path target = dir.resolve(actual.hex());
        if (!Files.isDirectory(dir)) {
          Files.createDirectories(dir);
          fsyncDirectory(blobs);
        }
        if (!Files.exists(target)) {
          setReadOnly(temp);
          try {
            // rename(2) replaces atomically: a concurrent writer of the same blob renaming over us
            // replaces identical bytes, and readers only ever see a complete file.
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(dir);
          } catch (FileAlreadyExistsException lostTheRace) {
            // Where rename refuses to replace, the other writer's identical blob is there: success.
          }
        }
        return new BlobInfo(actual, size);
      } catch (IOException e) {
        throw new UncheckedIOException(subject + ": " + e.getMessage(), e);
      } finally {
        discard();
      }
    }

    @Override
    public void close() {
      discard();
    }

    private Digest rehash(DigestAlgorithm other) throws IOException {
      MessageDigest md2 = other.newMessageDigest();
      try (InputStream in = Files.newInputStream(temp)) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          md2.update(buf, 0, n);
        }
      }
      return Digest.of(other, md2);
    }

    private void discard() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        channel.close();
        Files.deleteIfExists(temp); // gone already after a successful rename
      } catch (IOException e) {
        // A leftover temp is removed the next time the store is opened; the blob is unaffected.
      } finally {
        LIVE_TEMPS.remove(temp);
      }
    }

    private void drain() throws IOException {
      buffer.flip();
      writeFully(buffer);
      buffer.clear();
    }

    private void writeFully(ByteBuffer b) throws IOException {
      while (b.hasRemaining()) {
        channel.write(b);
      }
    }

    private void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("blob writer for " + temp.getFileName() + " is closed");
      }
    }

    private static void setReadOnly(Path p) throws IOException {
      if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--r--r--"));
      }
    }
  }
}

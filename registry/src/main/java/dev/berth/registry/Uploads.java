package dev.berth.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Blob upload sessions on disk, one directory each:
 *
 * <pre>
 * uploads/UUID/repository   the repository the session belongs to
 * uploads/UUID/data         the bytes received so far; its size is the session's offset
 * </pre>
 *
 * Nothing else is kept in memory, so a session survives a restart: the client asks for its status
 * (GET → Range) and goes on from there. A session untouched for the expiry is removed by {@link
 * #expire}. One request at a time works on a session (a lock per id): two PATCHes racing for the
 * same offset are serialised, and the second gets 416.
 */
public final class Uploads {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Path root;
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  public Uploads(Path root) {
    this.root = root;
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("creating " + root + ": " + e.getMessage(), e);
    }
  }

  /** One session, locked by whoever holds it; close to unlock. */
  public final class Session implements AutoCloseable {
    private final String id;
    private final String repository;
    private final ReentrantLock lock;

    private Session(String id, String repository, ReentrantLock lock) {
      this.id = id;
      this.repository = repository;
      this.lock = lock;
    }

    public String id() {
      return id;
    }

    public String repository() {
      return repository;
    }

    public Path data() {
      return root.resolve(id).resolve("data");
    }

    /** Bytes received so far. */
    public long size() {
      try {
        return Files.size(data());
      } catch (IOException e) {
        throw new UncheckedIOException("reading upload " + id + ": " + e.getMessage(), e);
      }
    }

    /**
     * Appends the body at the end of what was received; returns the new size. A body cut off
     * midway keeps what arrived, so the client can resume after the last byte the server has.
     * Each piece written to the file is then written to {@code tee} (null for none).
     */
    public long append(InputStream in, java.io.OutputStream tee) throws IOException {
      try (var ch = FileChannel.open(data(), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        byte[] buf = new byte[1 << 17];
        var bb = ByteBuffer.wrap(buf);
        for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
          bb.clear().limit(n);
          while (bb.hasRemaining()) {
            ch.write(bb);
          }
          if (tee != null) {
            tee.write(buf, 0, n);
          }
        }
        return ch.size();
      }
    }

    public void delete() {
      deleteTree(root.resolve(id));
    }

    @Override
    public void close() {
      lock.unlock();
      if (!lock.isLocked() && !lock.hasQueuedThreads()) {
        locks.remove(id, lock);
      }
    }
  }

  public Session create(String repository) {
    String id = UUID.randomUUID().toString();
    Path dir = root.resolve(id);
    try {
      Files.createDirectories(dir);
      Files.createFile(dir.resolve("data"));
    } catch (IOException e) {
      throw new UncheckedIOException("creating upload session in " + root + ": " + e.getMessage(), e);
    }
    AtomicFiles.write(dir.resolve("repository"), repository);
    return lock(id, repository);
  }

  /** The session, locked; 404 BLOB_UPLOAD_UNKNOWN unless it exists and belongs to the repository. */
  public Session open(String repository, String id) {
    if (!ID.matcher(id).matches()) {
      throw unknown(id);
    }
    Session s = lock(id, repository);
    String owner = AtomicFiles.read(root.resolve(id).resolve("repository"));
    if (owner == null || !owner.equals(repository) || !Files.exists(s.data())) {
      s.close();
      throw unknown(id);
    }
    return s;
  }

  private Session lock(String id, String repository) {
    while (true) {
      ReentrantLock l = locks.computeIfAbsent(id, k -> new ReentrantLock());
      l.lock();
      if (locks.get(id) == l) {
        return new Session(id, repository, l);
      }
      l.unlock(); // removed meanwhile by a closing session: take the new one
    }
  }

  private static RegistryException unknown(String id) {
    return new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload session " + id + " unknown (expired, finished or cancelled)");
  }

  /** Sessions in flight. */
  public int count() {
    int n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path ignored : ds) {
        n++;
      }
    } catch (IOException e) {
      return -1;
    }
    return n;
  }

  /** Removes sessions whose data has not grown for {@code expiry}; returns their ids. */
  public java.util.List<String> expire(Duration expiry) {
    Instant cutoff = Instant.now().minus(expiry);
    var removed = new java.util.ArrayList<String>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      for (Path dir : ds) {
        String id = dir.getFileName().toString();
        ReentrantLock l = locks.get(id);
        if (l != null && l.isLocked()) {
          continue; // a request is writing to it right now
        }
        if (lastTouched(dir).isBefore(cutoff)) {
          deleteTree(dir);
          removed.add(id);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("expiring uploads in " + root + ": " + e.getMessage(), e);
    }
    return removed;
  }

  private static Instant lastTouched(Path dir) {
    try {
      FileTime t = Files.getLastModifiedTime(dir.resolve("data"));
      return t.toInstant();
    } catch (NoSuchFileException e) {
      try {
        return Files.getLastModifiedTime(dir).toInstant();
      } catch (IOException gone) {
        return Instant.now();
      }
    } catch (IOException e) {
      return Instant.now();
    }
  }

  static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + dir + ": " + e.getMessage(), e);
    }
  }
}

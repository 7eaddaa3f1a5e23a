package dev.berth.snapshot;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.berth.errors.AlreadyExistsException;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What both snapshotters share: the metadata (names, parents, kinds) in {@code metadata.json},
 * replaced atomically, and one directory per snapshot under {@code snapshots/<id>}, named by a
 * short number so that long overlay lowerdir lists stay short.
 */
abstract sealed class StoredSnapshotter implements Snapshotter permits OverlaySnapshotter, CopySnapshotter {
  /** One snapshot in the metadata; {@code id} names its directory. */
  record Entry(long id, String parent, SnapshotInfo.Kind kind, Instant created) {}

  private record Metadata(long nextId, TreeMap<String, Entry> snapshots) {}

  private final Path root;
  private final Path metadataFile;
  private long nextId;
  private final TreeMap<String, Entry> snapshots;

  StoredSnapshotter(Path root) {
    try {
      Files.createDirectories(root.resolve("snapshots"));
      Files.createDirectories(root.resolve("mnt"));
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("opening snapshotter at " + root + ": " + e.getMessage(), e);
    }
    this.metadataFile = this.root.resolve("metadata.json");
    Metadata m = load();
    this.nextId = m.nextId();
    this.snapshots = m.snapshots();
    removeOrphans();
  }

  @Override
  public Path root() {
    return root;
  }

  // ---- what each kind of snapshotter does on disk ----

  /** Creates the directories of a new active snapshot {@code dir}, on top of {@code parentDir} (or null). */
  abstract void createActive(Path dir, Path parentDir) throws IOException;

  /** Creates the directories of a new view {@code dir} (often nothing). */
  abstract void createView(Path dir, Path parentDir) throws IOException;

  /** The mounts of an active snapshot or view. */
  abstract List<Mount> mountsOf(Entry e, Path dir, List<Path> parentDirs);

  /** Tidies a snapshot's directory as it becomes committed (e.g. overlay's workdir). */
  abstract void onCommit(Path dir) throws IOException;

  // ---- the contract ----

  @Override
  public List<Mount> prepare(String key, String parent) {
    return create(key, parent, SnapshotInfo.Kind.ACTIVE);
  }

  @Override
  public List<Mount> view(String key, String parent) {
    if (parent == null) {
      throw new InvalidArgumentException("creating view " + key + ": a view needs a parent");
    }
    return create(key, parent, SnapshotInfo.Kind.VIEW);
  }

  private List<Mount> create(String key, String parent, SnapshotInfo.Kind kind) {
    String action = (kind == SnapshotInfo.Kind.VIEW ? "creating view " : "preparing snapshot ") + key;
    checkKey(key, action);
    Entry entry;
    Path parentDir;
    synchronized (this) {
      if (snapshots.containsKey(key)) {
        throw new AlreadyExistsException(action + ": snapshot " + key + " already exists");
      }
      parentDir = parent == null ? null : fsDir(committed(parent, action));
      entry = new Entry(nextId++, parent, kind, Instant.now());
      snapshots.put(key, entry);
      save();
    }
    // Outside the lock: a copy may take long. The key is recorded, so it cannot be taken, and
    // the parent cannot go while it has this child.
    try {
      Path dir = dir(entry);
      Files.createDirectories(dir);
      if (kind == SnapshotInfo.Kind.ACTIVE) {
        createActive(dir, parentDir);
      } else {
        createView(dir, parentDir);
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        snapshots.remove(key);
        save();
      }
      deleteTree(dir(entry));
      if (e instanceof IOException io) {
        throw new UncheckedIOException(action + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
    return mounts(key);
  }

  @Override
  public synchronized List<Mount> mounts(String key) {
    Entry e = find(key, "mounting snapshot " + key);
    if (e.kind() == SnapshotInfo.Kind.COMMITTED) {
      throw new FailedPreconditionException(
          "mounting snapshot " + key + ": it is committed; prepare or view a snapshot on top of it");
    }
    return mountsOf(e, dir(e), parentDirs(e.parent()));
  }

  @Override
  public void commit(String name, String key) {
    String action = "committing snapshot " + key + " as " + name;
    checkKey(name, action);
    Entry e;
    synchronized (this) {
      e = find(key, action);
      if (e.kind() != SnapshotInfo.Kind.ACTIVE) {
        throw new FailedPreconditionException(action + ": it is " + e.kind().name().toLowerCase() + ", not active");
      }
      if (snapshots.containsKey(name)) {
        throw new AlreadyExistsException(action + ": snapshot " + name + " already exists");
      }
      try {
        onCommit(dir(e));
      } catch (IOException x) {
        throw new UncheckedIOException(action + ": " + x.getMessage(), x);
      }
      snapshots.remove(key);
      snapshots.put(name, new Entry(e.id(), e.parent(), SnapshotInfo.Kind.COMMITTED, Instant.now()));
      save();
    }
  }

  @Override
  public void remove(String key) {
    Entry e;
    synchronized (this) {
      e = find(key, "removing snapshot " + key);
      List<String> children = snapshots.entrySet().stream()
          .filter(x -> key.equals(x.getValue().parent())).map(Map.Entry::getKey).toList();
      if (!children.isEmpty()) {
        throw new FailedPreconditionException(
            "removing snapshot " + key + ": it is the parent of " + String.join(", ", children));
      }
      snapshots.remove(key);
      save();
    }
    // After the metadata no longer names it: a crash here leaves an orphan directory, removed on open.
    deleteTree(dir(e));
  }

  @Override
  public synchronized Optional<SnapshotInfo> stat(String key) {
    Entry e = snapshots.get(key);
    return e == null ? Optional.empty() : Optional.of(info(key, e));
  }

  @Override
  public synchronized List<SnapshotInfo> list() {
    return snapshots.entrySet().stream().map(x -> info(x.getKey(), x.getValue())).toList();
  }

  @Override
  public synchronized Path upperDir(String key) {
    Entry e = find(key, "finding the files of snapshot " + key);
    if (e.kind() == SnapshotInfo.Kind.VIEW) {
      throw new FailedPreconditionException("finding the files of snapshot " + key + ": a view has none of its own");
    }
    return fsDir(e);
  }

  /** The committed parent's own directory, for the Differ. */
  synchronized Path parentUpperDir(String key) {
    Entry e = find(key, "finding the parent of snapshot " + key);
    return e.parent() == null ? null : fsDir(snapshots.get(e.parent()));
  }

  // ---- helpers ----

  private static SnapshotInfo info(String name, Entry e) {
    return new SnapshotInfo(name, e.parent(), e.kind(), e.created());
  }

  private Entry find(String key, String action) {
    Entry e = snapshots.get(key);
    if (e == null) {
      throw new NotFoundException(action + ": no snapshot " + key);
    }
    return e;
  }

  private Entry committed(String parent, String action) {
    Entry p = snapshots.get(parent);
    if (p == null) {
      throw new NotFoundException(action + ": parent snapshot " + parent + " does not exist");
    }
    if (p.kind() != SnapshotInfo.Kind.COMMITTED) {
      throw new FailedPreconditionException(action + ": parent snapshot " + parent + " is not committed");
    }
    return p;
  }

  /** Directories of {@code parent} and its ancestors, nearest first (overlay's lowerdir order). */
  private List<Path> parentDirs(String parent) {
    List<Path> dirs = new ArrayList<>();
    for (String p = parent; p != null; p = snapshots.get(p).parent()) {
      dirs.add(fsDir(snapshots.get(p)));
    }
    return dirs;
  }

  Path dir(Entry e) {
    return root.resolve("snapshots").resolve(Long.toString(e.id()));
  }

  Path fsDir(Entry e) {
    return dir(e).resolve("fs");
  }

  private static void checkKey(String key, String action) {
    if (key == null || key.isEmpty() || key.indexOf('\0') >= 0 || key.indexOf('\n') >= 0) {
      throw new InvalidArgumentException(action + ": invalid snapshot key \"" + key + "\"");
    }
  }

  private Metadata load() {
    if (!Files.exists(metadataFile)) {
      return new Metadata(1, new TreeMap<>());
    }
    try {
      Metadata m = Json.MAPPER.readValue(Files.readAllBytes(metadataFile), new TypeReference<Metadata>() {});
      return new Metadata(m.nextId(), m.snapshots() == null ? new TreeMap<>() : new TreeMap<>(m.snapshots()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading snapshot metadata " + metadataFile + ": " + e.getMessage(), e);
    }
  }

  /** Temp file, fsync, rename, fsync of the directory: the old or the new state survives a crash. */
  private void save() {
    try {
      byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Metadata(nextId, snapshots));
      Path tmp = Files.createTempFile(root, ".metadata.", ".tmp");
      try {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ByteBuffer buf = ByteBuffer.wrap(bytes);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          ch.force(true);
        }
        Files.move(tmp, metadataFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      try (FileChannel d = FileChannel.open(root, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing snapshot metadata " + metadataFile + ": " + e.getMessage(), e);
    }
  }

  /** Directories left by a crash between creating them and recording them, or recording a removal and deleting them. */
  private void removeOrphans() {
    var known = new java.util.HashSet<String>();
    snapshots.values().forEach(e -> known.add(Long.toString(e.id())));
    try (Stream<Path> dirs = Files.list(root.resolve("snapshots"))) {
      for (Path d : dirs.toList()) {
        if (!known.contains(d.getFileName().toString())) {
          deleteTree(d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + root.resolve("snapshots") + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a tree without following symlinks; refuses to cross into a mount left on it. */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
          Files.deleteIfExists(f);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          if (e != null && !(e instanceof NoSuchFileException)) {
            throw e;
          }
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + dir + ": " + e.getMessage(), e);
    }
  }
}

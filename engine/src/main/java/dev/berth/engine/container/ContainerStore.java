package dev.berth.engine.container;

import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Containers' metadata on disk: {@code ROOT/containers/<id>/container.json}, each write to a temp
 * file in the same directory, fsynced, then renamed over the old one, so a crash leaves either the
 * old or the new file, never half of one. A directory without a {@code container.json} is a create
 * that never finished; {@link #loadAll} reports such directories so they can be cleaned.
 */
public final class ContainerStore {
  private static final System.Logger LOG = System.getLogger("dev.berth.engine");
  static final String FILE = "container.json";

  private final Path dir;

  public ContainerStore(Path containersDir) {
    this.dir = containersDir;
  }

  /** The state directory of container {@code id}: bundle, logs, exit files. */
  public Path dirOf(String id) {
    return dir.resolve(id);
  }

  public void save(Container c) {
    Path d = dirOf(c.id());
    try {
      Files.createDirectories(d);
      Path tmp = d.resolve(FILE + ".tmp");
      Files.write(tmp, Json.write(c));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, d.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("saving container " + c.id() + " to " + d + ": " + e.getMessage(), e);
    }
  }

  public void delete(String id) {
    deleteTree(dirOf(id));
  }

  /** What {@link #loadAll} found: the containers, and directories of creates that never finished. */
  public record Loaded(List<Container> containers, List<String> incomplete) {}

  public Loaded loadAll() {
    List<Container> out = new ArrayList<>();
    List<String> incomplete = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return new Loaded(out, incomplete);
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path d : ds) {
        Path f = d.resolve(FILE);
        if (!Files.isRegularFile(f)) {
          incomplete.add(d.getFileName().toString());
          continue;
        }
        try {
          out.add(Json.read(Files.readAllBytes(f), Container.class, "container metadata " + f, 16 << 20));
        } catch (RuntimeException | IOException e) {
          LOG.log(Level.WARNING, "skipping container " + d.getFileName() + ": " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing containers in " + dir + ": " + e.getMessage(), e);
    }
    return new Loaded(out, incomplete);
  }

  static void deleteTree(Path p) {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + p + ": " + e.getMessage(), e);
    }
  }
}

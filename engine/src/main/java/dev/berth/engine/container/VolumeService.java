package dev.berth.engine.container;

import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Named volumes with the {@code local} driver: {@code ROOT/volumes/<name>/_data} for the data and
 * {@code ROOT/volumes/<name>/volume.json} (written atomically) for labels and creation time. The
 * {@code inUse} function names the containers that mount a volume, so that removal refuses those.
 */
public final class VolumeService {
  private static final Pattern VALID = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
  private final Path dir;
  private final Events events;
  private volatile Function<String, List<String>> users = name -> List.of();

  public VolumeService(Path volumesDir, Events events) {
    this.dir = volumesDir;
    this.events = events;
  }

  public void setUsers(Function<String, List<String>> users) {
    this.users = users;
  }

  private record Meta(String name, String driver, Instant createdAt, Map<String, String> labels, Map<String, String> options) {}

  /** Creates a volume, or returns the existing one of that name (Docker's create is idempotent). */
  public synchronized Volume create(String name, String driver, Map<String, String> labels, Map<String, String> options) {
    if (driver != null && !driver.isEmpty() && !driver.equals("local")) {
      throw new NotFoundException("error looking up volume plugin " + driver + ": plugin \"" + driver + "\" not found");
    }
    if (options != null && !options.isEmpty()) {
      throw new InvalidArgumentException("creating volume " + name + ": driver options are not supported (got " + options.keySet() + ")");
    }
    if (name == null || name.isEmpty()) {
      name = HexFormat.of().formatHex(randomBytes());
    } else if (!VALID.matcher(name).matches()) {
      throw new InvalidArgumentException("create " + name + ": \"" + name
          + "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed."
          + " If you intended to pass a host directory, use absolute path");
    }
    Path d = dir.resolve(name);
    if (Files.isRegularFile(d.resolve("volume.json"))) {
      return read(name);
    }
    var meta = new Meta(name, "local", Instant.now(), labels, Map.of());
    try {
      Files.createDirectories(d.resolve("_data"));
      Path tmp = d.resolve("volume.json.tmp");
      Files.write(tmp, Json.write(meta));
      Files.move(tmp, d.resolve("volume.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("creating volume " + name + " in " + d + ": " + e.getMessage(), e);
    }
    events.publish("volume", "create", name, Map.of("driver", "local"));
    return read(name);
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[32];
    new java.security.SecureRandom().nextBytes(b);
    return b;
  }

  public Volume inspect(String name) {
    return read(name);
  }

  public boolean exists(String name) {
    return VALID.matcher(name).matches() && Files.isRegularFile(dir.resolve(name).resolve("volume.json"));
  }

  public List<Volume> list() {
    List<Volume> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var ds = Files.newDirectoryStream(dir)) {
      for (Path d : ds) {
        if (Files.isRegularFile(d.resolve("volume.json"))) {
          out.add(read(d.getFileName().toString()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing volumes in " + dir + ": " + e.getMessage(), e);
    }
    out.sort(java.util.Comparator.comparing(Volume::name));
    return out;
  }

  /** The containers using volume {@code name}. */
  public List<String> usedBy(String name) {
    return users.apply(name);
  }

  public synchronized void remove(String name, boolean force) {
    if (!exists(name)) {
      if (force) {
        return;
      }
      throw new NotFoundException("get " + name + ": no such volume");
    }
    List<String> using = users.apply(name);
    if (!using.isEmpty()) {
      throw new FailedPreconditionException("remove " + name + ": volume is in use - [" + String.join(", ", using) + "]");
    }
    ContainerStore.deleteTree(dir.resolve(name));
    events.publish("volume", "destroy", name, Map.of("driver", "local"));
  }

  /** Removes the volumes no container uses; {@code all} false keeps named ones, as Docker 23+ does. */
  public synchronized PruneReport prune(boolean all, java.util.function.Predicate<Volume> keep) {
    List<String> deleted = new ArrayList<>();
    long reclaimed = 0;
    for (Volume v : list()) {
      if (!users.apply(v.name()).isEmpty() || keep.test(v) || (!all && !anonymous(v.name()))) {
        continue;
      }
      reclaimed += sizeOf(v.mountpoint());
      ContainerStore.deleteTree(dir.resolve(v.name()));
      events.publish("volume", "destroy", v.name(), Map.of("driver", "local"));
      deleted.add(v.name());
    }
    return new PruneReport(deleted, reclaimed);
  }

  public record PruneReport(List<String> deleted, long reclaimedBytes) {}

  static boolean anonymous(String name) {
    return name.length() == 64 && name.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  static long sizeOf(Path p) {
    try (var walk = Files.walk(p)) {
      return walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  private Volume read(String name) {
    if (!VALID.matcher(name).matches()) {
      throw new NotFoundException("get " + name + ": no such volume");
    }
    Path d = dir.resolve(name);
    try {
      Meta m = Json.read(Files.readAllBytes(d.resolve("volume.json")), Meta.class, "volume " + name, 1 << 20);
      return new Volume(m.name(), m.driver(), d.resolve("_data"), m.createdAt(), m.labels(), m.options());
    } catch (java.nio.file.NoSuchFileException e) {
      throw new NotFoundException("get " + name + ": no such volume");
    } catch (IOException e) {
      throw new UncheckedIOException("reading volume " + name + ": " + e.getMessage(), e);
    }
  }

  /** Throws unless {@code name} exists; what {@code -v name:/path} checks before creating it implicitly. */
  static void requireValid(String name) {
    if (!VALID.matcher(name).matches()) {
      throw new InvalidArgumentException("invalid volume name " + name);
    }
  }
}

package dev.berth.snapshot;

import dev.berth.errors.UnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Snapshots as overlayfs layers: each snapshot's own files live in {@code snapshots/<id>/fs}; an
 * active snapshot mounts as an overlay whose lowerdirs are its ancestors' {@code fs} (nearest
 * first), with its own {@code fs} as upperdir and {@code snapshots/<id>/work} as workdir. A
 * snapshot without parent mounts as a bind of its {@code fs}; a view of one layer as a read-only
 * bind, of several as an overlay without upperdir. Committed layers hold overlay's own whiteouts
 * (0/0 character devices, {@code trusted.overlay.opaque} xattrs), as they were written through
 * the mount. Needs root and a kernel with overlayfs; see {@link #supported}.
 *
 * <pre>{@code
 * Snapshotter s = OverlaySnapshotter.supported(root) ? new OverlaySnapshotter(root) : new CopySnapshotter(root);
 * }</pre>
 */
public final class OverlaySnapshotter extends StoredSnapshotter {
  /**
   * With the inodes index on (a kernel default on some distributions), a lower dir mounted under
   * two uppers makes the second mount fail; layers are shared, so berth turns it off, as Docker does.
   */
  private static final List<String> INDEX_OFF =
      Files.exists(Path.of("/sys/module/overlay/parameters/index")) ? List.of("index=off") : List.of();

  public OverlaySnapshotter(Path root) {
    super(root);
  }

  /**
   * True when an overlay can be mounted with upper and work dirs on the file system of {@code root}
   * (tried once with a throwaway mount under {@code root}).
   */
  public static boolean supported(Path root) {
    return whyUnsupported(root) == null;
  }

  /** Why overlay cannot work at {@code root}, or null when it can. */
  static String whyUnsupported(Path root) {
    Path probe = null;
    try {
      Files.createDirectories(root);
      probe = Files.createTempDirectory(root, ".overlay-probe-");
      for (String d : List.of("lower1", "lower2", "upper", "work", "merged")) {
        Files.createDirectory(probe.resolve(d));
      }
      Mount m = new Mount("overlay", "overlay", List.of(
          "lowerdir=" + probe.resolve("lower1") + ":" + probe.resolve("lower2"),
          "upperdir=" + probe.resolve("upper"), "workdir=" + probe.resolve("work")));
      m.mount(probe.resolve("merged"));
      Mount.unmount(probe.resolve("merged"));
      return null;
    } catch (IOException | RuntimeException e) {
      return e.getMessage();
    } finally {
      if (probe != null) {
        Mount.unmount(probe.resolve("merged"));
        deleteTree(probe);
      }
    }
  }

  /** Like the constructor, but fails clearly where overlayfs cannot work. */
  public static OverlaySnapshotter open(Path root) {
    String why = whyUnsupported(root);
    if (why != null) {
      throw new UnavailableException("overlayfs is not usable at " + root + ": " + why + "; use the copy snapshotter");
    }
    return new OverlaySnapshotter(root);
  }

  @Override
  void createActive(Path dir, Path parentDir) throws IOException {
    Files.createDirectory(dir.resolve("fs"));
    Files.createDirectory(dir.resolve("work"));
  }

  @Override
  void createView(Path dir, Path parentDir) {}

  @Override
  List<Mount> mountsOf(Entry e, Path dir, List<Path> parents) {
    if (e.kind() == SnapshotInfo.Kind.VIEW) {
      if (parents.size() == 1) {
        return List.of(new Mount("bind", parents.getFirst().toString(), List.of("rbind", "ro")));
      }
      List<String> options = new ArrayList<>(INDEX_OFF);
      options.addAll(List.of("ro", "lowerdir=" + join(parents)));
      return List.of(new Mount("overlay", "overlay", options));
    }
    if (parents.isEmpty()) {
      return List.of(new Mount("bind", dir.resolve("fs").toString(), List.of("rbind", "rw")));
    }
    List<String> options = new ArrayList<>(INDEX_OFF);
    options.add("lowerdir=" + join(parents));
    options.add("upperdir=" + dir.resolve("fs"));
    options.add("workdir=" + dir.resolve("work"));
    return List.of(new Mount("overlay", "overlay", options));
  }

  @Override
  void onCommit(Path dir) throws IOException {
    // The workdir is scratch space of the mount; a committed layer is only ever a lowerdir.
    deleteTree(dir.resolve("work"));
  }

  private static String join(List<Path> dirs) {
    return dirs.stream().map(Path::toString).collect(Collectors.joining(":"));
  }
}

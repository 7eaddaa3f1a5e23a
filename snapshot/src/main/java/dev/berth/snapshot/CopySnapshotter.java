package dev.berth.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Snapshots as plain directory trees, for hosts without overlayfs: every snapshot's {@code fs}
 * holds its whole tree, an active snapshot starting as a full copy of its parent (owners, modes,
 * xattrs, hard links, devices, times: {@code cp -a}). Active snapshots mount as a bind of their
 * tree; a view as a read-only bind of the parent's tree, which never changes once committed.
 * Slower and bigger than overlay, but works on any file system.
 *
 * <pre>{@code
 * Snapshotter s = new CopySnapshotter(Path.of("/var/lib/berth/snapshots/copy"));
 * }</pre>
 */
public final class CopySnapshotter extends StoredSnapshotter {
  public CopySnapshotter(Path root) {
    super(root);
  }

  @Override
  void createActive(Path dir, Path parentDir) throws IOException {
    Path fs = dir.resolve("fs");
    if (parentDir == null) {
      Files.createDirectory(fs);
      return;
    }
    copyTree(parentDir, fs);
  }

  @Override
  void createView(Path dir, Path parentDir) {}

  @Override
  List<Mount> mountsOf(Entry e, Path dir, List<Path> parents) {
    if (e.kind() == SnapshotInfo.Kind.VIEW) {
      return List.of(new Mount("bind", parents.getFirst().toString(), List.of("rbind", "ro")));
    }
    return List.of(new Mount("bind", dir.resolve("fs").toString(), List.of("rbind", "rw")));
  }

  @Override
  void onCommit(Path dir) {}

  /** {@code cp -a}: the one tool that copies every kind of file with all its metadata. */
  static void copyTree(Path from, Path to) throws IOException {
    Process p = new ProcessBuilder("cp", "-a", "--reflink=auto", "--", from.toString(), to.toString())
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
        throw new IOException("copying " + from + " to " + to + " failed: " + out);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("copying " + from + " to " + to + ": interrupted", e);
    }
  }
}

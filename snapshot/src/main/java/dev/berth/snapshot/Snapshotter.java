package dev.berth.snapshot;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Filesystem snapshots, as containerd's snapshotter: committed snapshots are read-only and may be
 * parents; active ones are writable and become committed by {@link #commit}; views are read-only
 * and never parents. Keys and names share one namespace; any non-empty string without NUL or
 * newline is a valid key ("sha256:…" chain IDs for image layers, "ctr-ID" for containers).
 *
 * <p>Lifecycle of an image layer, then of a container's root filesystem:
 *
 * <pre>{@code
 * List<Mount> m = snapshotter.prepare("extract-1", parentChainId); // writable, on top of parent
 * Mount.mountAll(m, dir); apply the layer tar into dir; Mount.unmount(dir);
 * snapshotter.commit(chainId, "extract-1");                      // now a read-only parent
 *
 * List<Mount> rootfs = snapshotter.prepare("ctr-" + id, chainId); // the container's rootfs
 * Mount.mountAll(rootfs, bundle.resolve("rootfs"));               // runc runs on it
 * Mount.unmount(bundle.resolve("rootfs"));
 * snapshotter.remove("ctr-" + id);
 * }</pre>
 *
 * <p>Errors: an unknown key is {@code NotFoundException}; reusing a key or name is
 * {@code AlreadyExistsException}; a parent that is not committed, committing what is not active,
 * or removing a snapshot that has children is {@code FailedPreconditionException}. The metadata is
 * replaced atomically on every change, so a crash leaves either the old or the new state, and
 * directories of snapshots that never made it into the metadata are removed on the next open.
 * Implementations are safe for concurrent use within one process; open one snapshotter per root
 * (the daemon's), since each keeps the metadata in memory and writes it through.
 */
public interface Snapshotter {
  /** A writable snapshot on top of committed {@code parent} (null: empty); its mounts. */
  List<Mount> prepare(String key, String parent);

  /** A read-only snapshot of committed {@code parent}; its mounts. */
  List<Mount> view(String key, String parent);

  /** The mounts of an active snapshot or a view, to mount again (e.g. after a daemon restart). */
  List<Mount> mounts(String key);

  /** Makes active snapshot {@code key} the committed snapshot {@code name}; {@code key} is gone after. */
  void commit(String name, String key);

  /** Removes a snapshot that has no children; its mounts must be unmounted first. */
  void remove(String key);

  Optional<SnapshotInfo> stat(String key);

  /** All snapshots, sorted by name. */
  List<SnapshotInfo> list();

  /**
   * The directory holding a snapshot's own files: for overlay the upperdir (an active
   * snapshot's changes, a committed one's layer), for the copy snapshotter the whole tree. Read
   * it; write it only through the mounts of an active snapshot.
   */
  Path upperDir(String key);

  /** The directory this snapshotter keeps its state in; {@code root()/mnt} is free for mount points. */
  Path root();
}

package dev.berth.snapshot;

import java.util.List;
import java.util.Optional;

/**
 * Filesystem snapshots, as containerd's snapshotter: committed snapshots are read-only and may be
 * parents; active ones are writable and become committed by {@link #commit}; views are read-only
 * and never parents. Keys and names share one namespace.
 *
 * <pre>{@code
 * List<Mount> m = snapshotter.prepare("layer-tmp", parentChainId); // writable, on top of parent
 * Mount.mountAll(m, target); apply layer tar; Mount.unmountAll(target);
 * snapshotter.commit(chainId, "layer-tmp");                       // now a read-only parent
 * List<Mount> rootfs = snapshotter.prepare("ctr-" + id, chainId); // a container's rootfs
 * }</pre>
 *
 * <p>Removing a snapshot that has children fails with FailedPreconditionException.
 */
public interface Snapshotter {
  /** A writable snapshot on top of committed {@code parent} (null: empty). */
  List<Mount> prepare(String key, String parent);

  /** A read-only snapshot of committed {@code parent}. */
  List<Mount> view(String key, String parent);

  /** The mounts of an active snapshot or a view, to mount again (e.g. after a daemon restart). */
  List<Mount> mounts(String key);

  /** Makes active snapshot {@code key} the committed snapshot {@code name}. */
  void commit(String name, String key);

  void remove(String key);

  Optional<SnapshotInfo> stat(String key);

  List<SnapshotInfo> list();

  /** The directory holding an active snapshot's own changes (overlay upperdir, or the copy). */
  java.nio.file.Path upperDir(String key);
}

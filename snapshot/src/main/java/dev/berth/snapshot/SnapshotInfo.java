package dev.berth.snapshot;

import java.time.Instant;

/**
 * What a snapshot is: its name (key for active snapshots and views), its parent (null for a base),
 * its kind and when it was made.
 */
public record SnapshotInfo(String name, String parent, Kind kind, Instant created) {
  public enum Kind {
    /** Writable; becomes COMMITTED through {@link Snapshotter#commit}. */
    ACTIVE,
    /** Read-only, never a parent. */
    VIEW,
    /** Read-only and immutable; may be a parent. */
    COMMITTED
  }
}

package dev.berth.snapshot;

import java.time.Instant;

/** What a snapshot is: its name, its parent (null for a base), its kind and when it was made. */
public record SnapshotInfo(String name, String parent, Kind kind, Instant created) {
  public enum Kind { ACTIVE, VIEW, COMMITTED }
}

package dev.berth.snapshot;

import java.nio.file.Path;

class CopySnapshotterTest extends SnapshotterContract {
  @Override
  Snapshotter open(Path root) {
    return new CopySnapshotter(root);
  }
}

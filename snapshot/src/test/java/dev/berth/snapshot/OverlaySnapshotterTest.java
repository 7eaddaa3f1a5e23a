package dev.berth.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OverlaySnapshotterTest extends SnapshotterContract {
  @Override
  Snapshotter open(Path root) {
    return OverlaySnapshotter.open(root);
  }

  @Test
  void anActiveSnapshotOnAParentIsAnOverlay() throws IOException {
    layer("l1", null, Map.of("a", "a"));
    layer("l2", "l1", Map.of("b", "b"));
    List<Mount> m = snapshotter.prepare("ctr", "l2");
    assertEquals(1, m.size());
    assertEquals("overlay", m.getFirst().type());
    assertEquals(List.of(snapshotter.upperDir("l2").toString(), snapshotter.upperDir("l1").toString()), m.getFirst().lowerDirs());
    assertTrue(m.getFirst().options().contains("upperdir=" + snapshotter.upperDir("ctr")));
    Path mp = mount("ctr");
    try {
      Files.delete(mp.resolve("a"));
    } finally {
      Mount.unmount(mp);
    }
    // Overlay records the deletion as a 0/0 character device in the upperdir.
    assertEquals("chr 0 0 0:0", Trees.describeOne(snapshotter.upperDir("ctr").resolve("a")).replaceFirst(" [0-7]+ ", " 0 "));
  }
}

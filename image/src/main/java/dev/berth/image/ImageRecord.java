package dev.berth.image;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import java.time.Instant;
import java.util.List;

/**
 * What the metadata file keeps for an image: the manifest it points to and its names. Everything
 * else is read from the content store.
 */
record ImageRecord(Digest id, Descriptor target, List<String> names, List<String> repoDigests, long size,
    Instant added, Instant lastTagTime, List<Long> layerSizes) {

  ImageRecord {
    layerSizes = layerSizes == null ? List.of() : List.copyOf(layerSizes);
    names = names == null ? List.of() : List.copyOf(names.stream().sorted().distinct().toList());
    repoDigests = repoDigests == null ? List.of() : List.copyOf(repoDigests.stream().sorted().distinct().toList());
  }

  ImageRecord withNames(List<String> n, Instant tagTime) {
    return new ImageRecord(id, target, n, repoDigests, size, added, tagTime, layerSizes);
  }
}

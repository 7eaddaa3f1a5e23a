package dev.berth.image;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Manifest;
import dev.berth.oci.Reference;
import java.time.Instant;
import java.util.List;

/**
 * An image as the store knows it: its ID (the config digest, as Docker's), the manifest it was
 * stored with, the names that point at it, and the parsed manifest and config.
 *
 * @param id the config digest, Docker's image ID
 * @param target the descriptor of the manifest
 * @param tags the names pointing at this image, sorted; empty for a dangling image
 * @param repoDigests {@code repository@sha256:…} for images that came from or went to a registry
 * @param size the sum of {@code layerSizes}
 * @param added when this store first held the image
 * @param layerSizes per layer, the size Docker reports: the bytes of its files and symlinks once
 *     unpacked (hard links once); for a compressed layer not yet unpacked, its compressed size
 */
public record Image(
    Digest id,
    Descriptor target,
    List<Reference> tags,
    List<String> repoDigests,
    Manifest manifest,
    ImageConfig config,
    long size,
    Instant added,
    List<Long> layerSizes) {

  public Image {
    tags = List.copyOf(tags);
    repoDigests = List.copyOf(repoDigests);
    layerSizes = List.copyOf(layerSizes);
  }

  public boolean dangling() {
    return tags.isEmpty();
  }
}

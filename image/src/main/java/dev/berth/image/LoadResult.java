package dev.berth.image;

import java.util.List;

/** The images a load added, in archive order, with the names each got. */
public record LoadResult(List<Image> images) {
  public LoadResult {
    images = List.copyOf(images);
  }
}

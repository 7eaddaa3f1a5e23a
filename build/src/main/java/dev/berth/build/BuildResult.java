package dev.berth.build;

import dev.berth.image.Image;
import java.util.List;

/**
 * A finished build: the image as stored (tagged with the request's tags), the warnings, and how
 * many of its steps ran and how many came from the cache.
 */
public record BuildResult(Image image, List<String> warnings, int steps, int cachedSteps) {
  public BuildResult {
    warnings = List.copyOf(warnings);
  }
}

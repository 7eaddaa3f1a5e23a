package dev.berth.engine.container;

import java.time.Instant;
import java.util.Map;

/**
 * A named volume: a directory {@code ROOT/volumes/<name>/_data} that outlives containers.
 *
 * @param mountpoint the {@code _data} directory
 */
public record Volume(String name, String driver, java.nio.file.Path mountpoint, Instant createdAt,
    Map<String, String> labels, Map<String, String> options) {
  public Volume {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    options = options == null ? Map.of() : Map.copyOf(options);
  }
}

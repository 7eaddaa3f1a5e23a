package dev.berth.snapshot;

import java.util.List;

/**
 * A mount to perform, as in the OCI runtime spec's mounts: {@code overlay} with
 * lowerdir/upperdir/workdir options, or a {@code bind} of a directory.
 */
public record Mount(String type, String source, List<String> options) {
  public Mount {
    options = List.copyOf(options);
  }
}

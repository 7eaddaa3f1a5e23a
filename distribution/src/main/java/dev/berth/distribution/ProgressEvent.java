package dev.berth.distribution;

/**
 * One step of a pull or push, worded as Docker's progress stream so that the CLI and the Engine
 * API show it as is: {@code ("a1b2c3d4e5f6", "Downloading", 1024, 4096)}, {@code ("a1b2c3d4e5f6",
 * "Pull complete", 0, 0)}, or a line without id such as {@code "Digest: sha256:…"}.
 *
 * @param id the layer's short digest (12 hex), or null for a line about the whole image
 * @param current bytes done so far, 0 when not a byte count
 * @param total bytes in all, 0 when unknown or not a byte count
 */
public record ProgressEvent(String id, String status, long current, long total) {
  public static ProgressEvent line(String status) {
    return new ProgressEvent(null, status, 0, 0);
  }

  public static ProgressEvent of(String id, String status) {
    return new ProgressEvent(id, status, 0, 0);
  }

  public boolean hasBytes() {
    return total > 0 || current > 0;
  }
}

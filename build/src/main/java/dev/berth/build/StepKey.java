package dev.berth.build;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Cache keys. A stage starts from the key of its base ({@link #ofImage}, {@link #ofScratch}, or
 * the key another stage ended with); each step's key hashes its parent's key, the instruction
 * after variable expansion (with its flags and heredoc bodies), and for COPY/ADD the digest of
 * what its sources hold. So a step hits the cache only when everything before it did, and a
 * changed file invalidates the steps from its COPY on.
 */
public final class StepKey {
  private StepKey() {}

  public static Digest ofImage(Digest manifest) {
    return hash("image\n" + manifest);
  }

  public static Digest ofScratch(String platform) {
    return hash("scratch\n" + platform);
  }

  public static Digest of(Digest parent, String instruction, String sourceDigest) {
    return hash("step\n" + parent + "\n" + instruction + "\n" + (sourceDigest == null ? "" : sourceDigest));
  }

  private static Digest hash(String s) {
    MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
    md.update(s.getBytes(StandardCharsets.UTF_8));
    return Digest.of(DigestAlgorithm.SHA256, md);
  }
}

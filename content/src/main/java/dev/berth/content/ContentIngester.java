package dev.berth.content;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.io.InputStream;

/**
 * Adds blobs to the store, verifying before they become visible (habit 7).
 *
 * <pre>{@code
 * try (ContentWriter w = store.writer()) {
 *   body.transferTo(w);
 *   BlobInfo blob = w.commit(expectedDigest, expectedSize);   // verify, then rename into place
 * }                                                            // close without commit: discarded
 * }</pre>
 *
 * Writing a blob the store already holds is success. A mismatch throws {@link
 * InvalidArgumentException} and leaves nothing behind.
 */
public interface ContentIngester {

  /** A writer hashing with {@code algorithm}; commit may still name another one (then it re-hashes). */
  ContentWriter writer(DigestAlgorithm algorithm);

  /** A sha256 writer. */
  default ContentWriter writer() {
    return writer(DigestAlgorithm.SHA256);
  }

  /**
   * Streams {@code in} into the store; does not close it.
   *
   * @param expected the digest the content must have, or null to accept any (hashed with sha256)
   * @param expectedSize the size it must have, or -1 if unknown
   */
  BlobInfo write(InputStream in, Digest expected, long expectedSize);

  /** Stores {@code bytes} as a sha256 blob. */
  BlobInfo write(byte[] bytes);
}

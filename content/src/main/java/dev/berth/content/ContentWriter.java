package dev.berth.content;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.io.OutputStream;

/**
 * An in-progress blob: bytes are hashed as they are written to a private temporary file, invisible
 * to readers until {@link #commit} verifies them. Closing without a successful commit discards
 * everything written. Not thread-safe: one writer per producer.
 */
public abstract class ContentWriter extends OutputStream {

  /** The algorithm the bytes are hashed with while written. */
  public abstract DigestAlgorithm algorithm();

  /** Bytes written so far. */
  public abstract long size();

  /** The digest of what was written so far; lets a caller name content before deciding to commit it. */
  public abstract Digest digest();

  /** The bytes written so far, for small content (a manifest, a config) read before it is committed. */
  public abstract byte[] contentSoFar();

  /** Aborts an uncommitted write, deleting its temp file; after a commit it does nothing. */
  @Override
  public abstract void close();

  /**
   * Makes the blob durable and visible: fsync, verify, atomic rename. If the store already holds the
   * blob, the written copy is dropped and this is still success. After commit the writer is closed.
   *
   * @param expected the digest the content must have, or null to accept whatever was written
   * @param expectedSize the size it must have, or -1 if unknown
   * @throws InvalidArgumentException on a digest or size mismatch; the written bytes are discarded
   */
  public abstract BlobInfo commit(Digest expected, long expectedSize);

  /** Commits whatever was written, under its own digest. */
  public BlobInfo commit() {
    return commit(null, -1);
  }
}

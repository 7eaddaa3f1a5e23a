package dev.berth.content;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads committed blobs by digest. A blob is visible only once complete and verified, so readers
 * never see partial content and reads do not re-hash; {@link #verify} re-hashes on demand.
 */
public interface ContentProvider {

  /** Opens the blob for reading; the caller closes the stream. Throws {@link NotFoundException}. */
  InputStream open(Digest digest);

  /** The blob's size, or empty if the store does not hold it. */
  Optional<BlobInfo> info(Digest digest);

  default boolean contains(Digest digest) {
    return info(digest).isPresent();
  }

  /**
   * The file holding the blob, for zero-copy sends ({@code FileChannel.transferTo}). Read it, never
   * write it. Throws {@link NotFoundException}.
   */
  Path path(Digest digest);

  /** The whole blob in memory: for small blobs such as manifests and configs. */
  default byte[] readAllBytes(Digest digest) {
    try (InputStream in = open(digest)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading blob " + digest + ": " + e.getMessage(), e);
    }
  }

  /**
   * Re-hashes the blob, to detect corruption after commit (disk faults, outside edits).
   *
   * @throws InvalidArgumentException "blob sha256:… is corrupt: content hashes to sha256:…"
   * @throws NotFoundException if the store does not hold the blob
   */
  default BlobInfo verify(Digest digest) {
    var md = digest.algorithm().newMessageDigest();
    long size = 0;
    try (InputStream in = open(digest)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
        size += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("verifying blob " + digest + ": " + e.getMessage(), e);
    }
    Digest actual = Digest.of(digest.algorithm(), md);
    if (!actual.equals(digest)) {
      throw new InvalidArgumentException("blob " + digest + " is corrupt: content hashes to " + actual);
    }
    return new BlobInfo(digest, size);
  }
}

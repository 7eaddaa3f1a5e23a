package dev.berth.content;

import dev.berth.oci.Digest;
import java.util.stream.Stream;

/**
 * Lists and removes blobs. It knows nothing of which blobs are referenced: deciding what to delete
 * is the job of the metadata layer above (habit 6).
 */
public interface ContentManager {

  /** The committed blobs, in no particular order; a snapshot taken when called. */
  Stream<BlobInfo> list();

  /** Removes the blob; false if it was not there. Readers that already opened it may finish. */
  boolean delete(Digest digest);

  /** The sum of the sizes of all committed blobs, in bytes. */
  default long totalSize() {
    try (Stream<BlobInfo> blobs = list()) {
      return blobs.mapToLong(BlobInfo::size).sum();
    }
  }
}

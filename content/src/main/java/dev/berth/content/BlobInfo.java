package dev.berth.content;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Digest;

/** What the store knows about a blob: its digest and its size in bytes. Nothing else (habit 6). */
public record BlobInfo(Digest digest, long size) {
  public BlobInfo {
    if (digest == null) {
      throw new InvalidArgumentException("blob info needs a digest");
    }
    if (size < 0) {
      throw new InvalidArgumentException("blob " + digest + " has negative size " + size);
    }
  }
}

package dev.berth.oci;

import dev.berth.errors.InvalidArgumentException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The digest algorithms of the OCI image-spec, with the length of their lowercase hex encoding. */
public enum DigestAlgorithm {
  SHA256("sha256", "SHA-256", 64),
  SHA512("sha512", "SHA-512", 128);

  private final String id;
  private final String jcaName;
  private final int hexLength;

  DigestAlgorithm(String id, String jcaName, int hexLength) {
    this.id = id;
    this.jcaName = jcaName;
    this.hexLength = hexLength;
  }

  /** The identifier used on the wire and in blob paths, e.g. {@code sha256}. */
  public String id() {
    return id;
  }

  public int hexLength() {
    return hexLength;
  }

  public MessageDigest newMessageDigest() {
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(jcaName + " is part of every JDK", e);
    }
  }

  public static DigestAlgorithm of(String id) {
    for (DigestAlgorithm a : values()) {
      if (a.id.equals(id)) {
        return a;
      }
    }
    throw new InvalidArgumentException("unsupported digest algorithm \"" + id + "\" (supported: sha256, sha512)");
  }
}

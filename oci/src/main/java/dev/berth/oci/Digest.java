package dev.berth.oci;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.berth.errors.InvalidArgumentException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A content digest, {@code algorithm:hex}, e.g. {@code sha256:e3b0c442…}. Only the registered
 * algorithms are accepted, with their exact lowercase hex length, so that a digest is always safe
 * to use as a file name.
 */
public record Digest(DigestAlgorithm algorithm, String hex) implements Comparable<Digest> {

  public Digest {
    if (algorithm == null || hex == null) {
      throw new InvalidArgumentException("digest needs an algorithm and a hex value");
    }
    if (!isValidHex(algorithm, hex)) {
      throw new InvalidArgumentException(
          "invalid " + algorithm.id() + " digest \"" + hex + "\": want " + algorithm.hexLength() + " lowercase hex characters");
    }
  }

  /** Parses {@code sha256:…} or {@code sha512:…}. */
  @JsonCreator
  public static Digest parse(String text) {
    if (text == null) {
      throw new InvalidArgumentException("missing digest");
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new InvalidArgumentException("invalid digest \"" + text + "\": want algorithm:hex, e.g. sha256:…");
    }
    return new Digest(DigestAlgorithm.of(text.substring(0, colon)), text.substring(colon + 1));
  }

  /** True when {@code text} parses as a digest; for callers that must tell a digest from a name. */
  public static boolean isDigest(String text) {
    try {
      parse(text);
      return true;
    } catch (InvalidArgumentException e) {
      return false;
    }
  }

  public static Digest sha256(byte[] bytes) {
    return of(DigestAlgorithm.SHA256, bytes);
  }

  public static Digest of(DigestAlgorithm algorithm, byte[] bytes) {
    MessageDigest md = algorithm.newMessageDigest();
    return new Digest(algorithm, HexFormat.of().formatHex(md.digest(bytes)));
  }

  /** The digest whose {@link MessageDigest} has consumed the content. */
  public static Digest of(DigestAlgorithm algorithm, MessageDigest finished) {
    return new Digest(algorithm, HexFormat.of().formatHex(finished.digest()));
  }

  /** The first 12 hex characters, as Docker shows image IDs. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @JsonValue
  @Override
  public String toString() {
    return algorithm.id() + ":" + hex;
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }

  /** True when {@code hex} is a well-formed value for {@code algorithm}: its exact length, lowercase hex. */
  public static boolean isValidHex(DigestAlgorithm algorithm, String hex) {
    return hex.length() == algorithm.hexLength() && isLowerHex(hex);
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}

package dev.berth.registry;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Digest;
import java.util.regex.Pattern;

/** The grammar of repository names, tags and references of the distribution-spec. */
public final class Names {
  private Names() {}

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
  /** The spec's limit on a whole repository name (with the host, which the path lacks). */
  static final int MAX_NAME = 255;

  /**
   * A valid repository name, e.g. {@code team/app}. Components start with {@code [a-z0-9]}, so no
   * component can be {@code ..} or collide with the {@code _}-prefixed directories of the storage.
   */
  public static boolean isRepository(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
      return false;
    }
    for (String c : name.split("/", -1)) {
      if (!COMPONENT.matcher(c).matches()) {
        return false;
      }
    }
    return true;
  }

  public static boolean isTag(String tag) {
    return tag != null && TAG.matcher(tag).matches();
  }

  public static String requireRepository(String name) {
    if (!isRepository(name)) {
      throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name \"" + name + "\"");
    }
    return name;
  }

  /** A digest from the wire; 400 DIGEST_INVALID when malformed or of an unknown algorithm. */
  public static Digest requireDigest(String text) {
    try {
      return Digest.parse(text);
    } catch (InvalidArgumentException e) {
      throw new RegistryException(ErrorCode.DIGEST_INVALID, e.getMessage());
    }
  }

  /** Whether the reference looks like a digest ({@code alg:…}) rather than a tag. */
  public static boolean looksLikeDigest(String reference) {
    return reference.indexOf(':') > 0;
  }
}

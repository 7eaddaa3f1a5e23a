package dev.berth.archive;

import dev.berth.errors.InvalidArgumentException;

/**
 * OCI layer whiteouts (image-spec layer.md): an empty file {@code .wh.NAME} deletes {@code NAME}
 * of the layers below; {@code .wh..wh..opq} hides everything the layers below put in its
 * directory.
 */
public final class Whiteouts {
  public static final String PREFIX = ".wh.";
  /** Names starting so are reserved for metadata (AUFS used e.g. ".wh..wh.plnk"). */
  public static final String META_PREFIX = ".wh..wh.";
  public static final String OPAQUE = ".wh..wh..opq";

  private Whiteouts() {}

  /** True if the last component of {@code name} is the opaque-directory marker. */
  public static boolean isOpaque(String name) {
    return TarPaths.base(name).equals(OPAQUE);
  }

  /** True if the last component of {@code name} is any whiteout or whiteout metadata. */
  public static boolean isWhiteout(String name) {
    return TarPaths.base(name).startsWith(PREFIX);
  }

  /** The path a plain whiteout deletes: "a/.wh.b" → "a/b"; null for opaque markers and metadata. */
  public static String deleted(String name) {
    String base = TarPaths.base(name);
    if (!base.startsWith(PREFIX) || base.startsWith(META_PREFIX) || base.length() == PREFIX.length()) {
      return null;
    }
    String deleted = base.substring(PREFIX.length());
    if (deleted.equals(".") || deleted.equals("..")) {
      throw new InvalidArgumentException("whiteout \"" + name + "\" names no file");
    }
    return TarPaths.join(TarPaths.parent(name), deleted);
  }

  /** The whiteout entry name that deletes {@code name}: "a/b" → "a/.wh.b". */
  public static String whiteoutFor(String name) {
    return TarPaths.join(TarPaths.parent(name), PREFIX + TarPaths.base(name));
  }
}

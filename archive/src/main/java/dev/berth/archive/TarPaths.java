package dev.berth.archive;

import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps tar entries inside the archive root.
 *
 * <p>{@link #normalize} cleans one name and refuses absolute paths and {@code ..} that climbs
 * above the root. {@link #resolve} follows symbolic links with the root as "/" (as the kernel
 * would inside the container), so an absolute link target stays inside the root, while a relative
 * target whose {@code ..} climbs above the root is an escape. An instance checks a whole archive
 * entry by entry ({@link #admit}), remembering the symlinks seen so far, so that
 * {@code link -> ../..} followed by {@code link/file} is refused even though each name alone is
 * clean.
 */
public final class TarPaths {
  /** Like Linux's MAXSYMLINKS: a chain longer than this is a loop or an attack. */
  static final int MAX_SYMLINKS = 40;

  /** Answers "is this root-relative, resolved path a symlink, and to what?" */
  @FunctionalInterface
  public interface Symlinks {
    /** The target of the symlink at {@code path}, or null if there is none there. */
    String target(String path) throws IOException;
  }

  private final Map<String, String> symlinks = new HashMap<>();

  /**
   * Normalises a tar entry name: strips "./" and trailing "/", collapses "//", resolves
   * {@code ..} lexically. Returns "" for the root itself.
   *
   * @throws InvalidArgumentException for empty names, NUL bytes, absolute paths and escapes
   */
  public static String normalize(String entryName) {
    return clean(entryName, "tar entry \"" + entryName + "\"");
  }

  private static String clean(String path, String subject) {
    if (path == null || path.isEmpty()) {
      throw new InvalidArgumentException(subject + " has an empty name");
    }
    if (path.indexOf('\0') >= 0) {
      throw new InvalidArgumentException(subject + " contains a NUL byte");
    }
    if (path.startsWith("/")) {
      throw new InvalidArgumentException(subject + " is an absolute path");
    }
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      switch (part) {
        case "", "." -> {}
        case ".." -> {
          if (parts.isEmpty()) {
            throw new InvalidArgumentException(subject + " escapes the archive root");
          }
          parts.removeLast();
        }
        default -> parts.add(part);
      }
    }
    return String.join("/", parts);
  }

  /** The directory part of a normalised name ("" for top-level names and the root). */
  static String parent(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? "" : name.substring(0, slash);
  }

  /** The last component of a normalised name. */
  static String base(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  static String join(String dir, String base) {
    return dir.isEmpty() ? base : dir + "/" + base;
  }

  /**
   * Resolves a normalised {@code path} against the root, following every symlink {@code links}
   * reports on the way (and the last component too if {@code followLast}). Returns the
   * root-relative path reached, free of symlinks except possibly its last component.
   *
   * @param entry the entry name used in error messages
   * @throws InvalidArgumentException if a symlink leads above the root, or links loop
   */
  public static String resolve(String entry, String path, Symlinks links, boolean followLast)
      throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    pushFront(todo, path);
    List<String> done = new ArrayList<>();
    int followed = 0;
    String via = null;
    while (!todo.isEmpty()) {
      String part = todo.pop();
      switch (part) {
        case "", "." -> {
          continue;
        }
        case ".." -> {
          if (done.isEmpty()) {
            throw new InvalidArgumentException(
                "tar entry \"" + entry + "\" escapes the archive root through symlink " + via);
          }
          done.removeLast();
          continue;
        }
        default -> done.add(part);
      }
      if (todo.isEmpty() && !followLast) {
        break;
      }
      String here = String.join("/", done);
      String target = links.target(here);
      if (target == null) {
        continue;
      }
      if (++followed > MAX_SYMLINKS) {
        throw new InvalidArgumentException(
            "tar entry \"" + entry + "\": too many levels of symbolic links at \"" + here + "\"");
      }
      via = "\"" + here + "\" -> \"" + target + "\"";
      done.removeLast();
      if (target.startsWith("/")) {
        done.clear(); // the root stands in for "/": the container sees it so
      }
      pushFront(todo, target);
    }
    return String.join("/", done);
  }

  private static void pushFront(Deque<String> todo, String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) {
      todo.push(parts[i]);
    }
  }

  /**
   * Checks the next entry of an archive against the entries admitted before it: its parent
   * directories must not lead outside the root through an earlier symlink, and a hard link's
   * target must be inside the root. Records symlinks for the entries that follow.
   *
   * @throws InvalidArgumentException naming the entry and the problem
   */
  public void admit(TarEntry entry) {
    try {
      String name = entry.name();
      if (name.isEmpty()) {
        return;
      }
      String landing = join(resolve(name, parent(name), symlinks::get, true), base(name));
      if (entry instanceof TarEntry.Hardlink link) {
        resolve(name, normalizeLinkTarget(name, link.target()), symlinks::get, false);
      }
      if (entry instanceof TarEntry.Symlink link) {
        symlinks.put(landing, link.target());
      } else {
        symlinks.remove(landing);
      }
    } catch (IOException e) {
      throw new AssertionError("map lookups do not fail", e);
    }
  }

  /** Cleans a hard link's target as {@link #normalize} cleans names, naming the linking entry. */
  static String normalizeLinkTarget(String entryName, String target) {
    return clean(target, "tar entry \"" + entryName + "\": hard link target \"" + target + "\"");
  }
}

package dev.berth.build;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A tree COPY and ADD read from: the build context (with its .dockerignore) or another stage's
 * root filesystem. Paths are slash-separated and relative to the tree's root; a source path never
 * leaves the root, whatever its {@code ..} or symlinks say, as BuildKit confines it.
 */
final class SourceTree {
  private final Path root;
  private final DockerIgnore ignore;
  private final String what;

  SourceTree(Path root, DockerIgnore ignore, String what) {
    this.root = root;
    this.ignore = ignore;
    this.what = what;
  }

  Path root() {
    return root;
  }

  String what() {
    return what;
  }

  /** One file, directory or symlink under a matched source, relative to that source. */
  record Item(String rel, Path path, Kind kind, int mode, int uid, int gid, long size, Instant mtime, String linkTarget) {}

  enum Kind { FILE, DIRECTORY, SYMLINK }

  /** A source path as matched: its path in the tree, what it is, and (for a directory) everything under it. */
  record Match(String treePath, String baseName, Item top, List<Item> children) {
    boolean directory() {
      return top.kind() == Kind.DIRECTORY;
    }
  }

  static boolean hasWildcards(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '*' || c == '?' || c == '[') {
        return true;
      }
      if (c == '\\') {
        i++;
      }
    }
    return false;
  }

  /**
   * The sources {@code src} names: a path (which must exist and not be excluded) or a pattern
   * ({@code *}, {@code ?}, {@code [...]}, which may match nothing).
   */
  List<Match> resolve(String src) throws IOException {
    String clean = DockerIgnore.clean("/" + src);
    String rel = clean.equals("/") ? "" : clean.substring(1);
    List<String> paths = new ArrayList<>();
    if (hasWildcards(rel)) {
      glob(rel.split("/"), 0, "", paths);
    } else {
      paths.add(rel);
    }
    List<Match> out = new ArrayList<>();
    for (String p : paths) {
      if (!p.isEmpty() && ignore.excludes(p)) {
        if (hasWildcards(rel)) {
          continue;
        }
        throw new NotFoundException("\"" + src + "\" not found in " + what + " (excluded by .dockerignore)");
      }
      String real = resolveInRoot(p, true);
      Path path = at(real);
      if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        if (hasWildcards(rel)) {
          continue;
        }
        throw new NotFoundException("\"" + src + "\" not found in " + what);
      }
      Item top = item("", path);
      String base = p.isEmpty() ? "" : p.substring(p.lastIndexOf('/') + 1);
      List<Item> children = new ArrayList<>();
      if (top.kind() == Kind.DIRECTORY) {
        walk(path, p, "", children);
      }
      out.add(new Match(p, base, top, children));
    }
    return out;
  }

  private Path at(String rel) {
    return rel.isEmpty() ? root : root.resolve(rel);
  }

  /** Follows symlinks with the root standing in for "/", so nothing resolves outside it. */
  String resolveInRoot(String rel, boolean followLast) throws IOException {
    List<String> done = new ArrayList<>();
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
    for (String part : rel.split("/")) {
      todo.addLast(part);
    }
    int followed = 0;
    while (!todo.isEmpty()) {
      String part = todo.pollFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      done.add(part);
      if (todo.isEmpty() && !followLast) {
        break;
      }
      Path here = at(String.join("/", done));
      if (Files.isSymbolicLink(here)) {
        if (++followed > 40) {
          throw new InvalidArgumentException("too many levels of symbolic links at \"" + String.join("/", done) + "\" in " + what);
        }
        String target = Files.readSymbolicLink(here).toString();
        done.removeLast();
        if (target.startsWith("/")) {
          done.clear();
        }
        String[] parts = target.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
          todo.addFirst(parts[i]);
        }
      }
    }
    return String.join("/", done);
  }

  private void glob(String[] parts, int i, String prefix, List<String> out) throws IOException {
    if (i == parts.length) {
      out.add(prefix);
      return;
    }
    String part = parts[i];
    String join = prefix.isEmpty() ? "" : prefix + "/";
    if (!hasWildcards(part)) {
      glob(parts, i + 1, join + part, out);
      return;
    }
    Path dir = at(resolveInRoot(prefix, true));
    if (!Files.isDirectory(dir)) {
      return;
    }
    PathMatcher matcher;
    try {
      matcher = FileSystems.getDefault().getPathMatcher("glob:" + part.replace("{", "\\{").replace("}", "\\}").replace("[^", "[!"));
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("invalid source pattern \"" + part + "\": " + e.getMessage(), e);
    }
    List<String> names;
    try (Stream<Path> s = Files.list(dir)) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    for (String name : names) {
      if (matcher.matches(Path.of(name))) {
        glob(parts, i + 1, join + name, out);
      }
    }
  }

  private Item item(String rel, Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, "unix:mode,uid,gid,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    Kind kind = switch (mode & 0170000) {
      case 0040000 -> Kind.DIRECTORY;
      case 0120000 -> Kind.SYMLINK;
      case 0100000 -> Kind.FILE;
      default -> null;
    };
    if (kind == null) {
      return null; // sockets, FIFOs and devices are not copied
    }
    return new Item(rel, path, kind, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
        kind == Kind.FILE ? (Long) a.get("size") : 0, ((FileTime) a.get("lastModifiedTime")).toInstant(),
        kind == Kind.SYMLINK ? Files.readSymbolicLink(path).toString() : null);
  }

  /** Adds what lies under {@code dir}, sorted, skipping what the ignore rules exclude. */
  private boolean walk(Path dir, String treePrefix, String relPrefix, List<Item> out) throws IOException {
    List<Path> children;
    try (Stream<Path> s = Files.list(dir)) {
      children = s.sorted((x, y) -> x.getFileName().toString().compareTo(y.getFileName().toString())).toList();
    }
    boolean any = false;
    for (Path child : children) {
      String name = child.getFileName().toString();
      String tree = treePrefix.isEmpty() ? name : treePrefix + "/" + name;
      String rel = relPrefix.isEmpty() ? name : relPrefix + "/" + name;
      boolean excluded = ignore.excludes(tree);
      Item it = item(rel, child);
      if (it == null) {
        continue;
      }
      if (it.kind() == Kind.DIRECTORY) {
        if (excluded && !ignore.hasExceptions()) {
          continue;
        }
        int at = out.size();
        out.add(it);
        boolean inner = walk(child, tree, rel, out);
        if (excluded && !inner) {
          out.remove(at); // keep an excluded directory only for re-included files below it
        } else {
          any = true;
        }
      } else if (!excluded) {
        out.add(it);
        any = true;
      }
    }
    return any;
  }

  /**
   * A digest of what the matches hold: names, kinds, modes, owners, sizes, link targets and file
   * contents; not times, so touching a file does not invalidate the cache.
   */
  static String digest(List<Match> matches) {
    MessageDigest md = newSha256();
    for (Match m : matches) {
      update(md, "match " + m.treePath() + "\n");
      List<Item> all = new ArrayList<>();
      all.add(m.top());
      all.addAll(m.children());
      for (Item it : all) {
        update(md, it.kind() + " " + it.rel() + " " + Integer.toOctalString(it.mode()) + " " + it.uid() + ":" + it.gid()
            + " " + it.size() + (it.linkTarget() == null ? "" : " -> " + it.linkTarget()) + "\n");
        if (it.kind() == Kind.FILE) {
          update(md, fileDigest(it.path()) + "\n");
        }
      }
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  static String fileDigest(Path p) {
    MessageDigest md = newSha256();
    try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("hashing " + p + ": " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void update(MessageDigest md, String s) {
    md.update(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}

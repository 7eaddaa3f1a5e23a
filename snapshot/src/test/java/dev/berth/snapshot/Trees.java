package dev.berth.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A tree as a sorted map path → "type mode uid:gid content-or-target xattrs", for comparing trees. */
final class Trees {
  private Trees() {}

  static TreeMap<String, String> describe(Path root) {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        if (p.equals(root)) {
          continue;
        }
        out.put(root.relativize(p).toString(), describeOne(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static String describeOne(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,rdev,nlink", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    String kind = switch (mode & 0170000) {
      case 0040000 -> "dir";
      case 0100000 -> "file " + sha(p);
      case 0120000 -> "link " + Files.readSymbolicLink(p);
      case 0020000 -> "chr " + a.get("rdev");
      case 0060000 -> "blk " + a.get("rdev");
      case 0010000 -> "fifo";
      default -> "other";
    };
    String xattrs = String.join(",", Syscalls.llistxattr(p).stream()
        .filter(n -> !n.startsWith("trusted.overlay.")).sorted().toList());
    return kind + " " + Integer.toOctalString(mode & 07777) + " " + a.get("uid") + ":" + a.get("gid")
        + (xattrs.isEmpty() ? "" : " x=" + xattrs);
  }

  private static String sha(Path p) throws IOException {
    try {
      var md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.berth.build;

import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resolves {@code --chown} owners (names or numbers) through a root filesystem's /etc/passwd and /etc/group. */
final class Users {
  private Users() {}

  record Owner(int uid, int gid) {}

  /**
   * {@code user[:group]}: names looked up in the rootfs, numbers taken as they are; without a
   * group the gid is the uid, as Docker documents for --chown.
   */
  static Owner parse(String spec, Path rootfs) {
    String user = spec;
    String group = null;
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      user = spec.substring(0, colon);
      group = spec.substring(colon + 1);
    }
    if (user.isEmpty()) {
      throw new InvalidArgumentException("invalid --chown \"" + spec + "\": no user");
    }
    int uid = id(user, rootfs, "etc/passwd", 2, spec);
    int gid = group == null || group.isEmpty() ? uid : id(group, rootfs, "etc/group", 2, spec);
    return new Owner(uid, gid);
  }

  private static int id(String name, Path rootfs, String file, int field, String spec) {
    if (name.matches("\\d+")) {
      try {
        return Integer.parseInt(name);
      } catch (NumberFormatException e) {
        throw new InvalidArgumentException("invalid --chown \"" + spec + "\": " + name + " is out of range");
      }
    }
    List<String> lines;
    try {
      Path f = rootfs == null ? null : rootfs.resolve(file);
      lines = f != null && Files.isRegularFile(f) ? Files.readAllLines(f) : List.of();
    } catch (IOException e) {
      lines = List.of();
    }
    for (String line : lines) {
      String[] parts = line.split(":", -1);
      if (parts.length > field && parts[0].equals(name) && parts[field].matches("\\d+")) {
        return Integer.parseInt(parts[field]);
      }
    }
    boolean passwd = file.endsWith("passwd");
    throw new InvalidArgumentException("--chown=" + spec + ": no " + (passwd ? "user" : "group") + " \"" + name
        + "\" in the image's /" + file);
  }
}

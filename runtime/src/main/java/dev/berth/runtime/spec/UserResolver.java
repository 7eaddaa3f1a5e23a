package dev.berth.runtime.spec;

import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Resolves Docker's {@code -u} forms ({@code name}, {@code uid}, {@code uid:gid}, {@code name:group},
 * empty for root) against the container's own {@code /etc/passwd} and {@code /etc/group}, with
 * libcontainer's rules: a numeric id needs no entry, a name does; supplementary groups are the
 * group-file entries listing the user; plus any {@code --group-add}.
 */
public final class UserResolver {
  private UserResolver() {}

  /** A resolved user: ids, supplementary groups, and the home directory for {@code HOME}. */
  public record ResolvedUser(long uid, long gid, List<Long> additionalGids, String home) {
    public ResolvedUser {
      additionalGids = List.copyOf(additionalGids);
    }

    public Spec.User toSpec() {
      return new Spec.User(uid, gid, additionalGids);
    }
  }

  private record PasswdEntry(String name, long uid, long gid, String home) {}

  private record GroupEntry(String name, long gid, List<String> members) {}

  public static ResolvedUser resolve(Path rootfs, String spec, List<String> groupAdd) {
    var s = spec == null ? "" : spec.strip();
    String userPart = s;
    String groupPart = null;
    int colon = s.indexOf(':');
    if (colon >= 0) {
      userPart = s.substring(0, colon);
      groupPart = s.substring(colon + 1);
    }
    if (userPart.isEmpty()) {
      userPart = "0";
    }
    var passwd = readPasswd(rootfs);
    var groups = readGroups(rootfs);

    PasswdEntry match = null;
    for (var e : passwd) {
      if (e.name.equals(userPart) || (isNumeric(userPart) && e.uid == Long.parseLong(userPart))) {
        match = e;
        break;
      }
    }
    long uid;
    long gid;
    String home;
    String name;
    if (match != null) {
      uid = match.uid;
      gid = match.gid;
      home = match.home;
      name = match.name;
    } else if (isNumeric(userPart)) {
      uid = parseId(userPart, "user");
      gid = 0;
      home = "/";
      name = null;
    } else {
      throw new InvalidArgumentException("unable to find user " + userPart + ": no matching entries in passwd file");
    }

    if (groupPart != null && !groupPart.isEmpty()) {
      gid = lookupGroup(groups, groupPart);
    }

    var extra = new LinkedHashSet<Long>();
    // Docker lists the primary group among the supplementary ones too (`id` shows groups=GID(name)).
    extra.add(gid);
    // As libcontainer: supplementary groups from the group file only when no group was given.
    if (name != null && (groupPart == null || groupPart.isEmpty())) {
      for (var g : groups) {
        if (g.members.contains(name)) {
          extra.add(g.gid);
        }
      }
    }
    for (var g : groupAdd == null ? List.<String>of() : groupAdd) {
      extra.add(lookupGroup(groups, g));
    }
    return new ResolvedUser(uid, gid, new ArrayList<>(extra), home);
  }

  private static long lookupGroup(List<GroupEntry> groups, String g) {
    for (var e : groups) {
      if (e.name.equals(g)) {
        return e.gid;
      }
    }
    if (isNumeric(g)) {
      return parseId(g, "group");
    }
    throw new InvalidArgumentException("unable to find group " + g + ": no matching entries in group file");
  }

  private static boolean isNumeric(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }

  private static long parseId(String s, String what) {
    try {
      long v = Long.parseLong(s);
      if (v > 0xFFFF_FFFEL) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException(what + " id " + s + " is out of range");
    }
  }

  private static List<String> lines(Path rootfs, String file) {
    try {
      return Files.readAllLines(RootfsPath.resolve(rootfs, file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + " in " + rootfs, e);
    }
  }

  private static List<PasswdEntry> readPasswd(Path rootfs) {
    var out = new ArrayList<PasswdEntry>();
    for (var line : lines(rootfs, "/etc/passwd")) {
      var f = line.split(":", -1);
      if (line.isBlank() || line.startsWith("#") || f.length < 4 || !isNumeric(f[2]) || !isNumeric(f[3])) {
        continue;
      }
      out.add(new PasswdEntry(f[0], Long.parseLong(f[2]), Long.parseLong(f[3]),
          f.length > 5 && !f[5].isEmpty() ? f[5] : "/"));
    }
    return out;
  }

  private static List<GroupEntry> readGroups(Path rootfs) {
    var out = new ArrayList<GroupEntry>();
    for (var line : lines(rootfs, "/etc/group")) {
      var f = line.split(":", -1);
      if (line.isBlank() || line.startsWith("#") || f.length < 3 || !isNumeric(f[2])) {
        continue;
      }
      var members = f.length > 3 && !f[3].isBlank() ? List.of(f[3].split(",")) : List.<String>of();
      out.add(new GroupEntry(f[0], Long.parseLong(f[2]), members.stream().map(String::strip).toList()));
    }
    return out;
  }
}

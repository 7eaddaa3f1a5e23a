package dev.berth.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The container cgroups the runtime made, on a cgroup v1 (or hybrid) host or a pure v2 one: where
 * they are, whether the kernel OOM-killed in them, and their removal (runc leaves the parents).
 */
public final class Cgroups {
  private Cgroups() {}

  public static final Path ROOT = Path.of("/sys/fs/cgroup");

  /** True when /sys/fs/cgroup is itself a cgroup2 mount (no v1 hierarchies). */
  public static boolean unified() {
    return Files.exists(ROOT.resolve("cgroup.controllers"));
  }

  /** Every existing directory for {@code cgroupsPath} (e.g. {@code /berth/ID}) across the hierarchies. */
  public static List<Path> dirs(String cgroupsPath) {
    var rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
    var out = new ArrayList<Path>();
    if (unified()) {
      var d = ROOT.resolve(rel);
      if (Files.isDirectory(d)) {
        out.add(d);
      }
      return out;
    }
    try (var hierarchies = Files.list(ROOT)) {
      for (var h : hierarchies.toList()) {
        var d = h.resolve(rel);
        if (!Files.isSymbolicLink(h) && Files.isDirectory(d)) {
          out.add(d);
        }
      }
    } catch (IOException e) {
      // No cgroup tree: nothing to find.
    }
    return out;
  }

  /** Whether the memory controller OOM-killed a process in this cgroup (v1 oom_control, v2 memory.events). */
  public static boolean oomKilled(String cgroupsPath) {
    var rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
    var file = unified() ? ROOT.resolve(rel).resolve("memory.events") : ROOT.resolve("memory").resolve(rel)
        .resolve("memory.oom_control");
    try {
      for (var line : Files.readAllLines(file)) {
        var f = line.split(" ");
        if (f.length == 2 && f[0].equals("oom_kill") && Long.parseLong(f[1].strip()) > 0) {
          return true;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Gone or unreadable: no evidence of an OOM kill.
    }
    return false;
  }

  /** Removes the cgroup directories of {@code cgroupsPath} (must be empty of processes), deepest first. */
  public static void remove(String cgroupsPath) {
    var dirs = dirs(cgroupsPath);
    dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (var d : dirs) {
      removeTree(d);
    }
  }

  /** Removes {@code parent} (e.g. {@code /berth-test-1}) in every hierarchy, with any child cgroups left. */
  public static void removeTree(String parent) {
    for (var d : dirs(parent)) {
      removeTree(d);
    }
  }

  private static void removeTree(Path dir) {
    // cgroupfs directories hold only kernel files: rmdir the directories bottom-up.
    try (var walk = Files.walk(dir)) {
      var all = walk.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
      for (var d : all) {
        try {
          Files.deleteIfExists(d);
        } catch (IOException ignored) {
          // Still has a process (a container not yet reaped); the caller's next delete retries.
        }
      }
    } catch (IOException | java.io.UncheckedIOException ignored) {
      // Already gone.
    }
  }
}

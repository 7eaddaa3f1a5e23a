package dev.berth.testing.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Temp directories for peer daemons, and their removal: what the peers leave behind (mounts,
 * stray processes, read-only trees) is cleaned up before anything is deleted.
 */
public final class TempDirs {
  private TempDirs() {}

  /** A fresh directory directly under /tmp: short paths keep unix sockets under the 108-byte limit. */
  public static Path create(String prefix) {
    try {
      return Files.createTempDirectory(Path.of("/tmp"), prefix).toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("creating a temp dir " + prefix + "* under /tmp", e);
    }
  }

  /** Mount points at or below {@code dir}, deepest first (the order to unmount them in). */
  public static List<Path> mountsUnder(Path dir) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/self/mounts"));
    } catch (IOException e) {
      throw new UncheckedIOException("reading /proc/self/mounts", e);
    }
    var base = dir.toAbsolutePath().normalize();
    var found = new ArrayList<Path>();
    for (var line : lines) {
      var fields = line.split(" ");
      if (fields.length < 2) {
        continue;
      }
      var mp = Path.of(unescape(fields[1]));
      if (mp.startsWith(base)) {
        found.add(mp);
      }
    }
    found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return found;
  }

  /** Unmounts everything at or below {@code dir}; lazily when a mount is busy. */
  public static void unmountAll(Path dir) {
    for (int round = 0; round < 5; round++) {
      var mounts = mountsUnder(dir);
      if (mounts.isEmpty()) {
        return;
      }
      for (var mp : mounts) {
        var r = Command.of("umount", mp.toString()).run();
        if (!r.ok()) {
          Command.of("umount", "-l", mp.toString()).run();
        }
      }
    }
  }

  /** Pids of processes whose command line names {@code dir} (daemons and shims started for it). */
  public static List<Long> processesUsing(Path dir) {
    var needle = dir.toAbsolutePath().normalize().toString();
    var self = ProcessHandle.current().pid();
    var pids = new ArrayList<Long>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (var p : (Iterable<Path>) procs::iterator) {
        var name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(name);
        if (pid == self) {
          continue;
        }
        try {
          var cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(needle)) {
            pids.add(pid);
          }
        } catch (IOException e) {
          // It exited while we looked.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing /proc", e);
    }
    return pids;
  }

  /** SIGKILLs every process whose command line names {@code dir}, and waits for them to go. */
  public static void killProcessesUsing(Path dir) {
    for (var pid : processesUsing(dir)) {
      ProcessHandle.of(pid).ifPresent(h -> {
        h.destroyForcibly();
        try {
          h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          // A zombie whose parent is not us: it holds no mounts or files, so it's harmless.
        }
      });
    }
  }

  /**
   * Removes {@code dir}: kills processes naming it, unmounts what is below it, then deletes the tree
   * without following symlinks. Refuses to delete while anything is still mounted below, since that
   * would delete through the mount into someone else's files.
   */
  public static void delete(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    killProcessesUsing(dir);
    unmountAll(dir);
    var left = mountsUnder(dir);
    if (!left.isEmpty()) {
      throw new IllegalStateException("not deleting " + dir + ": still mounted below it: " + left);
    }
    deleteTree(dir);
  }

  /** Deletes a tree (no mount checks), making read-only directories writable as needed. */
  public static void deleteTree(Path dir) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
          // Non-root cannot unlink inside a read-only dir (vfs and umoci trees have some).
          if (!Files.isWritable(d) || !Files.isExecutable(d)) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
          deleteOne(f);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
          if (e instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          if (e instanceof AccessDeniedException) {
            deleteOne(f);
            return FileVisitResult.CONTINUE;
          }
          throw e;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          if (e != null && !(e instanceof NoSuchFileException)) {
            throw e;
          }
          deleteOne(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      // Already gone.
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + dir, e);
    }
  }

  private static void deleteOne(Path p) throws IOException {
    Files.deleteIfExists(p);
  }

  /** Decodes the octal escapes (\040 for space) that /proc/mounts uses in paths. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    var b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}

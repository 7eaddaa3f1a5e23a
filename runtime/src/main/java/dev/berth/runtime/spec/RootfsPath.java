package dev.berth.runtime.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a path inside a container's rootfs as the container would see it: symlinks are
 * followed with the rootfs as {@code /}, so an image's {@code /etc/passwd -> /../../host/file}
 * can never lead the host-side read out of the rootfs.
 */
public final class RootfsPath {
  private RootfsPath() {}

  private static final int MAX_LINKS = 40; // as the kernel's ELOOP limit

  /** The host path of {@code containerPath} under {@code rootfs}; the result may not exist. */
  public static Path resolve(Path rootfs, String containerPath) throws IOException {
    Deque<String> todo = new ArrayDeque<>(List.of(containerPath.split("/")));
    Deque<String> done = new ArrayDeque<>();
    int links = 0;
    while (!todo.isEmpty()) {
      var part = todo.pollFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        done.pollLast();
        continue;
      }
      done.addLast(part);
      var host = join(rootfs, done);
      if (Files.isSymbolicLink(host)) {
        if (++links > MAX_LINKS) {
          throw new IOException("too many levels of symbolic links resolving " + containerPath + " in " + rootfs);
        }
        var target = Files.readSymbolicLink(host).toString();
        done.pollLast();
        if (target.startsWith("/")) {
          done.clear();
        }
        var parts = target.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
          todo.addFirst(parts[i]);
        }
      } else if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        // The rest cannot contain links: it does not exist.
        todo.forEach(p -> {
          if (!p.isEmpty() && !p.equals(".")) {
            done.addLast(p);
          }
        });
        return join(rootfs, done);
      }
    }
    return join(rootfs, done);
  }

  private static Path join(Path rootfs, Deque<String> parts) {
    var p = rootfs;
    for (var s : parts) {
      p = p.resolve(s);
    }
    return p;
  }
}

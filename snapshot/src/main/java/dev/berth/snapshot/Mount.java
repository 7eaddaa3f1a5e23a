package dev.berth.snapshot;

import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A mount to perform, as in the OCI runtime spec's mounts: {@code overlay} with
 * lowerdir/upperdir/workdir options, or a {@code bind} of a directory ({@code ro} for read-only).
 *
 * <pre>{@code
 * List<Mount> rootfs = snapshotter.prepare("ctr-" + id, chainId);
 * Mount.mountAll(rootfs, bundle.resolve("rootfs"));   // before runc create
 * ...
 * Mount.unmount(bundle.resolve("rootfs"));            // after the container is gone
 * }</pre>
 */
public record Mount(String type, String source, List<String> options) {
  /** Overlay's mount data must fit in one page, NUL included. */
  static final int MAX_DATA = 4095;

  public Mount {
    if (type == null || type.isEmpty() || source == null || source.isEmpty()) {
      throw new InvalidArgumentException("a mount needs a type and a source");
    }
    options = List.copyOf(options);
  }

  /** Overlay lower dirs, top first, as given in the {@code lowerdir=} option; empty for others. */
  public List<String> lowerDirs() {
    for (String o : options) {
      if (o.startsWith("lowerdir=")) {
        return List.of(o.substring("lowerdir=".length()).split(":"));
      }
    }
    return List.of();
  }

  /**
   * Mounts {@code mounts} in order on {@code target} (an existing directory). If one fails, those
   * already mounted are unmounted before the error is thrown.
   */
  public static void mountAll(List<Mount> mounts, Path target) {
    List<Mount> done = new ArrayList<>();
    try {
      for (Mount m : mounts) {
        m.mount(target);
        done.add(m);
      }
    } catch (RuntimeException e) {
      if (!done.isEmpty()) {
        try {
          unmount(target);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * Unmounts everything mounted on {@code target} (stacked mounts included); nothing mounted there
   * is fine. A busy mount is detached lazily, so that it disappears once its last user is gone.
   */
  public static void unmount(Path target) {
    for (int i = 0; i < 64; i++) {
      try {
        Syscalls.umount(target, 0);
      } catch (Syscalls.ErrnoException e) {
        if (e.errno == Syscalls.EINVAL || e.errno == 2 /* ENOENT */) {
          return; // not (or no longer) a mount point
        }
        if (e.errno == Syscalls.EBUSY) {
          try {
            Syscalls.umount(target, Syscalls.MNT_DETACH);
            continue;
          } catch (IOException again) {
            throw new UncheckedIOException(again.getMessage(), again);
          }
        }
        throw new UncheckedIOException(e.getMessage(), e);
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
    }
    throw new IllegalStateException("unmounting " + target + ": still mounted after 64 unmounts");
  }

  /** Performs this one mount on {@code target}. */
  public void mount(Path target) {
    long flags = 0;
    List<String> data = new ArrayList<>();
    for (String o : options) {
      switch (o) {
        case "ro" -> flags |= Syscalls.MS_RDONLY;
        case "rw" -> {}
        case "bind" -> flags |= Syscalls.MS_BIND;
        case "rbind" -> flags |= Syscalls.MS_BIND | Syscalls.MS_REC;
        default -> data.add(o);
      }
    }
    boolean bind = (flags & Syscalls.MS_BIND) != 0 || type.equals("bind");
    try {
      if (bind) {
        Syscalls.mount(source, target, null, flags | Syscalls.MS_BIND, null);
        if ((flags & Syscalls.MS_RDONLY) != 0) {
          // A bind mount ignores MS_RDONLY; read-only takes a remount of the bind.
          try {
            Syscalls.mount("none", target, null, Syscalls.MS_BIND | Syscalls.MS_REMOUNT | Syscalls.MS_RDONLY, null);
          } catch (IOException e) {
            Syscalls.umount(target, Syscalls.MNT_DETACH);
            throw e;
          }
        }
        return;
      }
      String joined = String.join(",", data);
      if (joined.length() <= MAX_DATA || !type.equals("overlay")) {
        Syscalls.mount(source, target, type, flags, joined);
        return;
      }
      mountLongOverlay(target, flags, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /**
   * Too many lower dirs for one page: name each by an O_PATH descriptor of this process,
   * "/proc/self/fd/N", which overlay resolves at mount time. Unlike chdir to a common parent and
   * relative names, this is safe in a multi-threaded process.
   */
  private void mountLongOverlay(Path target, long flags, List<String> data) throws IOException {
    List<Integer> fds = new ArrayList<>();
    try {
      List<String> rewritten = new ArrayList<>();
      for (String o : data) {
        if (o.startsWith("lowerdir=")) {
          List<String> byFd = new ArrayList<>();
          for (String dir : o.substring("lowerdir=".length()).split(":")) {
            int fd = Syscalls.openPath(Path.of(dir));
            fds.add(fd);
            byFd.add("/proc/self/fd/" + fd);
          }
          rewritten.add("lowerdir=" + String.join(":", byFd));
        } else {
          rewritten.add(o);
        }
      }
      String joined = String.join(",", rewritten);
      if (joined.length() > MAX_DATA) {
        throw new InvalidArgumentException(
            "mounting overlay on " + target + ": " + lowerDirs().size() + " lower dirs do not fit in the mount data");
      }
      Syscalls.mount(source, target, type, flags, joined);
    } finally {
      fds.forEach(Syscalls::close);
    }
  }
}

package dev.berth.snapshot;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel calls snapshots need and java.nio lacks, behind one seam: mount(2), umount2(2),
 * O_PATH opens (to name long overlay lower dirs by fd), and the "l" xattr calls, which never
 * follow a symlink. Linux/glibc only.
 */
final class Syscalls {
  static final long MS_RDONLY = 1;
  static final long MS_REMOUNT = 32;
  static final long MS_BIND = 4096;
  static final long MS_REC = 16384;
  static final int MNT_DETACH = 2;
  static final int EINVAL = 22;
  static final int ENODATA = 61;
  static final int ENOTSUP = 95;
  static final int EBUSY = 16;
  private static final int O_RDONLY = 0;
  private static final int O_DIRECTORY = 0200000;
  private static final int O_CLOEXEC = 02000000;
  private static final int O_PATH = 010000000;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle MOUNT =
      downcall("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
  private static final MethodHandle UMOUNT2 = downcall("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle LGETXATTR =
      downcall("lgetxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
  private static final MethodHandle LLISTXATTR =
      downcall("llistxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));

  /** A failed call with its errno, so callers can tell e.g. EINVAL (not mounted) from others. */
  static final class ErrnoException extends IOException {
    final int errno;

    ErrnoException(String what, int errno) {
      super(what + ": " + strerror(errno) + " (errno " + errno + ")");
      this.errno = errno;
    }
  }

  private Syscalls() {}

  private static MethodHandle downcall(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)),
        fd,
        Linker.Option.captureCallState("errno"));
  }

  static void mount(String source, Path target, String type, long flags, String data) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      MemorySegment t = type == null ? MemorySegment.NULL : str(arena, type);
      MemorySegment d = data == null || data.isEmpty() ? MemorySegment.NULL : str(arena, data);
      int rc = (int) MOUNT.invokeExact(state, str(arena, source), str(arena, target.toString()), t, flags, d);
      if (rc != 0) {
        throw new ErrnoException("mounting " + type + " " + source + " on " + target, errno(state));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  static void umount(Path target, int flags) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      int rc = (int) UMOUNT2.invokeExact(state, str(arena, target.toString()), flags);
      if (rc != 0) {
        throw new ErrnoException("unmounting " + target, errno(state));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** An O_PATH descriptor of a directory: a handle that lets {@code /proc/self/fd/N} name it. */
  static int openPath(Path dir) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      int fd = (int) OPEN.invokeExact(state, str(arena, dir.toString()), O_PATH | O_DIRECTORY | O_CLOEXEC | O_RDONLY);
      if (fd < 0) {
        throw new ErrnoException("opening " + dir, errno(state));
      }
      return fd;
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  static void close(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      int ignored = (int) CLOSE.invokeExact(arena.allocate(STATE), fd);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** The value of xattr {@code name} of {@code path} itself, or null when it has none. */
  static byte[] lgetxattr(Path path, String name) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      MemorySegment p = str(arena, path.toString());
      MemorySegment n = str(arena, name);
      for (int size = 256; ; size *= 4) {
        MemorySegment buf = arena.allocate(size);
        long rc = (long) LGETXATTR.invokeExact(state, p, n, buf, (long) size);
        if (rc >= 0) {
          return buf.asSlice(0, rc).toArray(JAVA_BYTE);
        }
        int errno = errno(state);
        if (errno == ENODATA || errno == ENOTSUP) {
          return null;
        }
        if (errno != 34 /* ERANGE */ || size > (1 << 20)) {
          throw new ErrnoException("reading xattr " + name + " of " + path, errno);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** The names of the xattrs of {@code path} itself. */
  static List<String> llistxattr(Path path) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      MemorySegment p = str(arena, path.toString());
      for (int size = 1024; ; size *= 4) {
        MemorySegment buf = arena.allocate(size);
        long rc = (long) LLISTXATTR.invokeExact(state, p, buf, (long) size);
        if (rc >= 0) {
          List<String> names = new ArrayList<>();
          byte[] all = buf.asSlice(0, rc).toArray(JAVA_BYTE);
          int start = 0;
          for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
              if (i > start) {
                names.add(new String(all, start, i - start, StandardCharsets.UTF_8));
              }
              start = i + 1;
            }
          }
          return names;
        }
        int errno = errno(state);
        if (errno == ENOTSUP) {
          return List.of();
        }
        if (errno != 34 || size > (1 << 20)) {
          throw new ErrnoException("listing xattrs of " + path, errno);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  private static MemorySegment str(Arena arena, String s) {
    return arena.allocateFrom(s, StandardCharsets.UTF_8);
  }

  private static String strerror(int errno) {
    return switch (errno) {
      case 1 -> "operation not permitted";
      case 2 -> "no such file or directory";
      case 13 -> "permission denied";
      case 16 -> "device or resource busy";
      case 19 -> "no such device (filesystem type not supported)";
      case 20 -> "not a directory";
      case 22 -> "invalid argument";
      case 36 -> "file name too long";
      default -> "error";
    };
  }
}

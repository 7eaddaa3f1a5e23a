package dev.berth.archive;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The calls extraction needs that java.nio lacks: mknod (devices, FIFOs), lsetxattr (attributes
 * outside the "user." namespace) and utimensat on anything without opening it. Linux and
 * glibc ≥ 2.33 only.
 */
final class Native {
  static final int S_IFIFO = 0010000;
  static final int S_IFCHR = 0020000;
  static final int S_IFBLK = 0060000;
  static final int EPERM = 1;
  static final int ENOTSUP = 95;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle MKNOD =
      downcall("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
  private static final MethodHandle LSETXATTR =
      downcall("lsetxattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));

  private static final MethodHandle UTIMENSAT =
      downcall("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final long UTIME_OMIT = (1L << 30) - 2;

  /** A failed call, carrying errno so callers can tolerate e.g. ENOTSUP. */
  static final class ErrnoException extends IOException {
    final int errno;

    ErrnoException(String call, Path path, int errno) {
      super(call + " " + path + ": errno " + errno);
      this.errno = errno;
    }
  }

  private Native() {}

  private static MethodHandle downcall(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)),
        fd,
        Linker.Option.captureCallState("errno"));
  }

  /** glibc's makedev. */
  static long makedev(int major, int minor) {
    long ma = Integer.toUnsignedLong(major);
    long mi = Integer.toUnsignedLong(minor);
    return ((ma & 0xfffL) << 8) | ((ma & ~0xfffL) << 32) | (mi & 0xffL) | ((mi & ~0xffL) << 12);
  }

  static int major(long dev) {
    return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
  }

  static int minor(long dev) {
    return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
  }

  static void mknod(Path path, int mode, long dev) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      int rc = (int) MKNOD.invokeExact(state, cstring(arena, path.toString()), mode, dev);
      if (rc != 0) {
        throw new ErrnoException("mknod", path, (int) ERRNO.get(state, 0L));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  static void lsetxattr(Path path, String name, byte[] value) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      MemorySegment v = arena.allocate(Math.max(1, value.length));
      MemorySegment.copy(value, 0, v, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, value.length);
      int rc =
          (int) LSETXATTR.invokeExact(
              state, cstring(arena, path.toString()), cstring(arena, name), v, (long) value.length, 0);
      if (rc != 0) {
        throw new ErrnoException("lsetxattr " + name, path, (int) ERRNO.get(state, 0L));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * Sets the modification time of {@code path} itself, never following a symlink, and without
   * opening it: the JDK's setTimes opens the file, which blocks on a FIFO.
   */
  static void setMtime(Path path, java.time.Instant mtime) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      MemorySegment times = arena.allocate(JAVA_LONG, 4); // struct timespec[2]: atime, mtime
      times.setAtIndex(JAVA_LONG, 0, 0);
      times.setAtIndex(JAVA_LONG, 1, UTIME_OMIT);
      times.setAtIndex(JAVA_LONG, 2, mtime.getEpochSecond());
      times.setAtIndex(JAVA_LONG, 3, mtime.getNano());
      int rc =
          (int) UTIMENSAT.invokeExact(
              state, AT_FDCWD, cstring(arena, path.toString()), times, AT_SYMLINK_NOFOLLOW);
      if (rc != 0) {
        throw new ErrnoException("utimensat", path, (int) ERRNO.get(state, 0L));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static MemorySegment cstring(Arena arena, String s) {
    return arena.allocateFrom(s, StandardCharsets.UTF_8);
  }
}

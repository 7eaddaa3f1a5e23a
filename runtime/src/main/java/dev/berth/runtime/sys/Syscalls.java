package dev.berth.runtime.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The kernel, behind one small seam (FFM downcalls into libc). Everything berth's runtime module
 * asks of the kernel directly goes through here: signals, resource limits, mounts, and the
 * {@code SOCK_SEQPACKET} unix sockets conmon's attach endpoint speaks (which the JDK's channels
 * cannot open). Failures are {@link IOException}s carrying the call, its subject and strerror.
 */
public final class Syscalls {
  private Syscalls() {}

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

  private static final MethodHandle KILL = fn("kill", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
  private static final MethodHandle GETRLIMIT = fn("getrlimit", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
  private static final MethodHandle MOUNT = fn("mount", ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
      ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);
  private static final MethodHandle UMOUNT2 = fn("umount2", ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
  private static final MethodHandle SOCKET = fn("socket", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
      ValueLayout.JAVA_INT);
  private static final MethodHandle CONNECT = fn("connect", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
      ValueLayout.JAVA_INT);
  private static final MethodHandle READ = fn("read", ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
      ValueLayout.JAVA_LONG);
  private static final MethodHandle WRITE = fn("write", ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
      ValueLayout.JAVA_LONG);
  private static final MethodHandle SHUTDOWN = fn("shutdown", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
  private static final MethodHandle CLOSE = fn("close", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
  private static final MethodHandle STRERROR = LINKER.downcallHandle(
      LINKER.defaultLookup().findOrThrow("strerror"), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

  public static final int EINTR = 4;
  public static final int ESRCH = 3;
  public static final int RLIMIT_NPROC = 6;
  public static final int RLIMIT_NOFILE = 7;
  public static final long RLIM_INFINITY = -1L;
  public static final long MS_RDONLY = 1;
  public static final long MS_BIND = 4096;
  public static final long MS_REC = 16384;
  public static final int MNT_DETACH = 2;
  private static final int AF_UNIX = 1;
  private static final int SOCK_SEQPACKET = 5;
  private static final int SOCK_CLOEXEC = 0x80000;

  private static MethodHandle fn(String name, ValueLayout ret, MemoryLayout... args) {
    return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), FunctionDescriptor.of(ret, args), CAPTURE);
  }

  /** A resource limit: soft and hard, {@link #RLIM_INFINITY} for unlimited. */
  public record Rlimit(long soft, long hard) {}

  /** Sends {@code signal} to {@code pid}; false if there is no such process (ESRCH). */
  public static boolean kill(long pid, int signal) throws IOException {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CALL_STATE);
      int rc = (int) KILL.invokeExact(state, (int) pid, signal);
      if (rc == 0) {
        return true;
      }
      int errno = errno(state);
      if (errno == ESRCH) {
        return false;
      }
      throw failure("kill(" + pid + ", " + signal + ")", errno);
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** This process's limit for {@code resource} (e.g. {@link #RLIMIT_NOFILE}). */
  public static Rlimit getrlimit(int resource) throws IOException {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CALL_STATE);
      var buf = arena.allocate(16, 8);
      int rc = (int) GETRLIMIT.invokeExact(state, resource, buf);
      if (rc != 0) {
        throw failure("getrlimit(" + resource + ")", errno(state));
      }
      return new Rlimit(buf.get(ValueLayout.JAVA_LONG, 0), buf.get(ValueLayout.JAVA_LONG, 8));
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** mount(2); {@code source}, {@code type} and {@code data} may be null. */
  public static void mount(String source, String target, String type, long flags, String data) throws IOException {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CALL_STATE);
      int rc = (int) MOUNT.invokeExact(state, cstr(arena, source), cstr(arena, target), cstr(arena, type), flags,
          cstr(arena, data));
      if (rc != 0) {
        throw failure("mounting " + (type == null ? "" : type + " ") + source + " on " + target, errno(state));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** umount2(2), e.g. with {@link #MNT_DETACH}. */
  public static void umount2(String target, int flags) throws IOException {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CALL_STATE);
      int rc = (int) UMOUNT2.invokeExact(state, cstr(arena, target), flags);
      if (rc != 0) {
        throw failure("unmounting " + target, errno(state));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Connects a {@code SOCK_SEQPACKET} unix socket to {@code path} (at most 107 bytes); returns the fd. */
  public static int connectSeqpacket(String path) throws IOException {
    var bytes = path.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 107) {
      throw new IOException("socket path " + path + " is longer than the 107 bytes a unix socket address holds");
    }
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CALL_STATE);
      int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        throw failure("socket(AF_UNIX, SOCK_SEQPACKET)", errno(state));
      }
      var addr = arena.allocate(110);
      addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
      MemorySegment.copy(bytes, 0, addr, ValueLayout.JAVA_BYTE, 2, bytes.length);
      int rc = (int) CONNECT.invokeExact(state, fd, addr, 110);
      if (rc != 0) {
        int errno = errno(state);
        close(fd);
        throw failure("connecting to " + path, errno);
      }
      return fd;
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** read(2) into {@code buf}; returns the count, 0 at end of stream. Retries on EINTR. */
  public static int read(int fd, byte[] buf) throws IOException {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CALL_STATE);
      var seg = arena.allocate(buf.length);
      while (true) {
        long n = (long) READ.invokeExact(state, fd, seg, (long) buf.length);
        if (n >= 0) {
          MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, buf, 0, (int) n);
          return (int) n;
        }
        int errno = errno(state);
        if (errno != EINTR) {
          throw failure("read(fd " + fd + ")", errno);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** write(2) of all of {@code buf[off, off+len)}; one packet on a seqpacket socket when it fits. */
  public static void write(int fd, byte[] buf, int off, int len) throws IOException {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CALL_STATE);
      var seg = arena.allocate(Math.max(len, 1));
      MemorySegment.copy(buf, off, seg, ValueLayout.JAVA_BYTE, 0, len);
      long done = 0;
      while (done < len) {
        long n = (long) WRITE.invokeExact(state, fd, seg.asSlice(done), (long) len - done);
        if (n < 0) {
          int errno = errno(state);
          if (errno == EINTR) {
            continue;
          }
          throw failure("write(fd " + fd + ")", errno);
        }
        done += n;
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** shutdown(2) of the writing side: the peer reads end of stream. */
  public static void shutdownWrite(int fd) throws IOException {
    shutdown(fd, 1);
  }

  /** shutdown(2) of both sides: also wakes a thread blocked reading the socket. */
  public static void shutdownBoth(int fd) throws IOException {
    shutdown(fd, 2);
  }

  private static void shutdown(int fd, int how) throws IOException {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CALL_STATE);
      int rc = (int) SHUTDOWN.invokeExact(state, fd, how);
      if (rc != 0) {
        throw failure("shutdown(fd " + fd + ")", errno(state));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  public static void close(int fd) {
    try (var arena = Arena.ofConfined()) {
      var state = arena.allocate(CALL_STATE);
      int ignored = (int) CLOSE.invokeExact(state, fd);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static MemorySegment cstr(Arena arena, String s) {
    return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
  }

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  private static IOException failure(String what, int errno) {
    return new IOException(what + ": " + strerror(errno) + " (errno " + errno + ")");
  }

  static String strerror(int errno) {
    try {
      var p = (MemorySegment) STRERROR.invokeExact(errno);
      return p.reinterpret(256).getString(0);
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }
}

package dev.berth.logs;

import static java.lang.foreign.ValueLayout.ADDRESS;
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

/**
 * Asks a running conmon to reopen its log: writes REOPEN_LOGS_EVENT ("2 0 0\n") to the
 * {@code ctl} FIFO conmon makes in its bundle directory ({@code -b}). The FIFO is opened
 * non-blocking, so a conmon that is gone (no reader) is an error at once, not a hang.
 *
 * <pre>{@code
 * new ConmonLogReopener(bundleDir).reopen();
 * }</pre>
 */
public final class ConmonLogReopener implements LogRotator.Reopener {
  private static final int O_WRONLY = 01;
  private static final int O_NONBLOCK = 04000;
  private static final int O_CLOEXEC = 02000000;
  private static final int ENXIO = 6;
  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private final Path ctl;

  /** For the conmon started with {@code -b bundleDir}. */
  public ConmonLogReopener(Path bundleDir) {
    this.ctl = bundleDir.resolve("ctl");
  }

  @Override
  public void reopen() throws IOException {
    byte[] message = "2 0 0\n".getBytes(StandardCharsets.US_ASCII);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(STATE);
      int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(ctl.toString(), StandardCharsets.UTF_8),
          O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) {
        int errno = (int) ERRNO.get(state, 0L);
        throw new IOException("asking conmon to reopen its log through " + ctl + ": "
            + (errno == ENXIO ? "conmon is not running (nobody reads the FIFO)" : "open failed, errno " + errno));
      }
      try {
        MemorySegment buf = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, message);
        long n = (long) WRITE.invokeExact(state, fd, buf, (long) message.length);
        if (n != message.length) {
          throw new IOException("asking conmon to reopen its log through " + ctl + ": write failed, errno "
              + (int) ERRNO.get(state, 0L));
        }
      } finally {
        int ignored = (int) CLOSE.invokeExact(state, fd);
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static MethodHandle downcall(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)),
        fd,
        Linker.Option.captureCallState("errno"));
  }
}

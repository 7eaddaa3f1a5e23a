package dev.berth.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a log exactly as conmon's write_k8s_log does (one stamp per read buffer; every newline
 * ends an F line, a buffer's unterminated end becomes a P line), and reopens it as
 * reopen_k8s_file does: open {@code log.tmp} truncated, rename it over {@code log}.
 */
final class FakeConmon implements AutoCloseable {
  private final Path log;
  private FileChannel channel;
  /** Every line written, as the reader should give them back, in the order written. */
  final List<LogLine> written = new ArrayList<>();

  FakeConmon(Path log) throws IOException {
    this.log = log;
    this.channel = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
  }

  /** One read(2) of the container's pipe, as conmon handles it. */
  synchronized void write(LogStream stream, String buffer, Instant time) throws IOException {
    byte[] buf = buffer.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int start = 0;
    while (start < buf.length) {
      int nl = start;
      while (nl < buf.length && buf[nl] != '\n') {
        nl++;
      }
      boolean partial = nl == buf.length;
      LogLine line = new LogLine(time, stream, partial, java.util.Arrays.copyOfRange(buf, start, nl));
      written.add(line);
      ByteBuffer b = ByteBuffer.wrap(line.format());
      while (b.hasRemaining()) {
        channel.write(b);
      }
      start = partial ? nl : nl + 1;
    }
  }

  synchronized void reopen() throws IOException {
    channel.close();
    Path tmp = log.resolveSibling(log.getFileName() + ".tmp");
    channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    Files.move(tmp, log, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }
}

package dev.berth.http;

import dev.berth.errors.FailedPreconditionException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 server on a unix domain socket or TCP, one virtual thread per connection.
 *
 * <pre>{@code
 * var router = new Router().get("/images/{name...}/json", (req, res) -> res.send(...));
 * try (var server = HttpServer.start(UnixDomainSocketAddress.of("/run/berth/berth.sock"), router)) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Lifecycle: {@link #start} binds and accepts at once; {@link #close()} stops accepting, closes
 * idle keep-alive connections, lets requests in flight finish for {@link Options#shutdownGrace()},
 * then closes whatever is left (hijacked streams included) and removes the socket file.
 */
public final class HttpServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.berth.http");

  /**
   * @param maxRequestLineBytes a longer request line is answered 414
   * @param maxHeaderBytes a larger header block is answered 431
   * @param shutdownGrace how long {@link #close()} waits for requests in flight
   * @param errorRenderer the body of error responses
   */
  public record Options(
      int maxRequestLineBytes,
      int maxHeaderBytes,
      Duration shutdownGrace,
      ErrorRenderer errorRenderer) {
    public Options {
      if (maxRequestLineBytes < 64 || maxHeaderBytes < 256) {
        throw new IllegalArgumentException("limits too small to carry any request");
      }
      Objects.requireNonNull(shutdownGrace);
      Objects.requireNonNull(errorRenderer);
    }

    public static Options defaults() {
      return new Options(8 * 1024, 64 * 1024, Duration.ofSeconds(5), ErrorRenderer.JSON_MESSAGE);
    }

    public Options withErrorRenderer(ErrorRenderer renderer) {
      return new Options(maxRequestLineBytes, maxHeaderBytes, shutdownGrace, renderer);
    }

    public Options withShutdownGrace(Duration grace) {
      return new Options(maxRequestLineBytes, maxHeaderBytes, grace, errorRenderer);
    }

    public Options withLimits(int maxRequestLineBytes, int maxHeaderBytes) {
      return new Options(maxRequestLineBytes, maxHeaderBytes, shutdownGrace, errorRenderer);
    }
  }

  private final ServerSocketChannel listener;
  private final SocketAddress address;
  private final HttpHandler handler;
  private final Options options;
  private final Path socketFile;
  private final Object socketFileKey;
  private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong connectionCount = new AtomicLong();
  private final Thread acceptor;
  private volatile boolean closing;

  private HttpServer(
      ServerSocketChannel listener, Path socketFile, HttpHandler handler, Options options)
      throws IOException {
    this.listener = listener;
    this.address = listener.getLocalAddress();
    this.handler = handler;
    this.options = options;
    this.socketFile = socketFile;
    this.socketFileKey =
        socketFile == null
            ? null
            : Files.readAttributes(socketFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
    this.acceptor = Thread.ofVirtual().name("berth-http-accept").unstarted(this::acceptLoop);
  }

  public static HttpServer start(SocketAddress address, HttpHandler handler) throws IOException {
    return start(address, handler, Options.defaults());
  }

  /**
   * Binds and starts accepting.
   *
   * <p>For a unix socket, parent directories are created, a socket file left by a dead server is
   * replaced, and the socket is made {@code rw-rw----}.
   *
   * @throws FailedPreconditionException when a live server already listens on the unix socket, or
   *     the path is something other than a socket
   */
  public static HttpServer start(SocketAddress address, HttpHandler handler, Options options)
      throws IOException {
    Objects.requireNonNull(handler);
    HttpServer server =
        switch (address) {
          case UnixDomainSocketAddress unix -> {
            Path path = unix.getPath().toAbsolutePath();
            ServerSocketChannel ch = bindUnix(path);
            try {
              yield new HttpServer(ch, path, handler, options);
            } catch (IOException | RuntimeException e) {
              ch.close();
              Files.deleteIfExists(path);
              throw e;
            }
          }
          case InetSocketAddress inet -> {
            ServerSocketChannel ch = ServerSocketChannel.open();
            try {
              ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
              ch.bind(inet, 1024);
              yield new HttpServer(ch, null, handler, options);
            } catch (IOException | RuntimeException e) {
              ch.close();
              throw e;
            }
          }
          default -> throw new IllegalArgumentException("unsupported address " + address);
        };
    server.acceptor.start();
    return server;
  }

  private static ServerSocketChannel bindUnix(Path path) throws IOException {
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      var attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attrs.isOther()) {
        throw new FailedPreconditionException(
            "listening on " + path + ": the path exists and is not a socket");
      }
      if (listening(path)) {
        throw new FailedPreconditionException(
            "listening on " + path + ": another server is listening there");
      }
      // A socket nobody accepts on: left behind by a server that died without cleaning up.
      Files.deleteIfExists(path);
    }
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.bind(UnixDomainSocketAddress.of(path), 1024);
      // The engine API is root-equivalent: only the owner and its group may connect.
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static boolean listening(Path path) {
    try {
      SocketChannel.open(UnixDomainSocketAddress.of(path)).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void acceptLoop() {
    while (!closing) {
      SocketChannel ch;
      try {
        ch = listener.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (closing) {
          return;
        }
        // Usually out of file descriptors: back off instead of spinning.
        LOG.log(Level.WARNING, "accepting on " + address + " failed", e);
        sleep(Duration.ofMillis(50));
        continue;
      }
      try {
        if (address instanceof InetSocketAddress) {
          ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        var conn = new ServerConnection(this, ch);
        connections.add(conn);
        if (closing) {
          conn.forceClose();
          connections.remove(conn);
          return;
        }
        Thread.ofVirtual().name("berth-http-" + connectionCount.incrementAndGet()).start(conn);
      } catch (IOException e) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // already failing
        }
      }
    }
  }

  /** The bound address; for TCP with port 0, the port chosen. */
  public SocketAddress address() {
    return address;
  }

  /** The bound TCP port. */
  public int port() {
    if (address instanceof InetSocketAddress inet) {
      return inet.getPort();
    }
    throw new IllegalStateException("listening on a unix socket, not a port: " + address);
  }

  /** Connections open right now, idle ones included. */
  public int openConnections() {
    return connections.size();
  }

  Options options() {
    return options;
  }

  HttpHandler handler() {
    return handler;
  }

  boolean closing() {
    return closing;
  }

  void forget(ServerConnection conn) {
    connections.remove(conn);
  }

  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    try {
      listener.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "closing listener", e);
    }
    try {
      acceptor.join(Duration.ofSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
    // Idle connections go at once; busy ones are re-checked, since they turn idle between
    // requests, until the grace period ends.
    while (!connections.isEmpty() && System.nanoTime() < deadline) {
      connections.forEach(ServerConnection::closeIfIdle);
      sleep(Duration.ofMillis(5));
    }
    connections.forEach(ServerConnection::forceClose);
    removeSocketFile();
  }

  private void removeSocketFile() {
    if (socketFile == null) {
      return;
    }
    try {
      var attrs =
          Files.readAttributes(socketFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      // Another server may have replaced a socket we thought stale; leave its file alone.
      if (Objects.equals(attrs.fileKey(), socketFileKey)) {
        Files.deleteIfExists(socketFile);
      }
    } catch (IOException e) {
      // Already gone.
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.berth.http;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small blocking HTTP/1.1 client over a unix socket or TCP, reusing idle connections. Safe for
 * many threads at once: each request takes a connection of its own.
 *
 * <pre>{@code
 * try (var client = HttpClient.unix(Path.of("/run/berth/berth.sock"));
 *      var res = client.request("GET", "/images/json").send()) {
 *   if (res.status() == 200) { byte[] json = res.bytes(); }
 * }
 * }</pre>
 *
 * <p>A {@link Response} holds its connection until its body is read to the end or it is closed;
 * always close it.
 */
public final class HttpClient implements AutoCloseable {
  private static final int MAX_IDLE = 8;
  private static final int MAX_HEADER_BYTES = 1024 * 1024;

  private final SocketAddress address;
  private final String host;
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  private HttpClient(SocketAddress address, String host) {
    this.address = address;
    this.host = host;
  }

  /** A client of the server listening on a unix socket; requests say {@code Host: localhost}. */
  public static HttpClient unix(Path socket) {
    return new HttpClient(UnixDomainSocketAddress.of(socket), "localhost");
  }

  public static HttpClient tcp(String host, int port) {
    String authority = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    return new HttpClient(new InetSocketAddress(host, port), authority);
  }

  /** Starts a request; {@code target} is the path and query, already encoded as it should be sent. */
  public Request request(String method, String target) {
    return new Request(method, target);
  }

  public Response get(String target) throws IOException {
    return request("GET", target).send();
  }

  /** Writes a streamed request body. */
  @FunctionalInterface
  public interface BodyWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  /** A request being built; {@link #send()} sends it. */
  public final class Request {
    private final String method;
    private final String target;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private byte[] bytes;
    private BodyWriter writer;
    private long writerLength = -1;

    private Request(String method, String target) {
      if (!Wire.isToken(method)) {
        throw new IllegalArgumentException("invalid method " + method);
      }
      if (!target.startsWith("/") || target.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
        throw new IllegalArgumentException("target must be an encoded path: " + target);
      }
      this.method = method;
      this.target = target;
    }

    public Request header(String name, String value) {
      headers.add(Headers.field(name, value));
      return this;
    }

    public Request body(byte[] body) {
      this.bytes = body;
      this.writer = null;
      return this;
    }

    /** A body streamed chunked: for uploads of unknown or large size. */
    public Request body(BodyWriter body) {
      this.writer = body;
      this.writerLength = -1;
      this.bytes = null;
      return this;
    }

    /** A body streamed with a Content-Length, for peers that refuse chunked uploads. */
    public Request body(long length, BodyWriter body) {
      this.writer = body;
      this.writerLength = length;
      this.bytes = null;
      return this;
    }

    /**
     * Sends the request and reads the response head. A request without a streamed body that fails
     * on a reused connection (the server closed it while idle) is retried once on a new one.
     */
    public Response send() throws IOException {
      Connection conn = takeIdle();
      boolean reused = conn != null;
      if (conn != null && writer != null && !conn.alive()) {
        // A streamed body cannot be replayed: check before starting rather than retry after.
        conn.close();
        conn = null;
        reused = false;
      }
      if (conn == null) {
        conn = connect();
      }
      try {
        return exchange(conn);
      } catch (IOException e) {
        conn.close();
        if (!reused || writer != null || e instanceof BadMessageException) {
          throw e;
        }
        Connection fresh = connect();
        try {
          return exchange(fresh);
        } catch (IOException | RuntimeException again) {
          fresh.close();
          throw again;
        }
      } catch (RuntimeException e) {
        conn.close();
        throw e;
      }
    }

    private Response exchange(Connection conn) throws IOException {
      var sb = new StringBuilder(256);
      sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
      boolean hasHost = false;
      for (var h : headers) {
        String name = h.getKey();
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
          continue;
        }
        hasHost |= name.equalsIgnoreCase("Host");
        sb.append(name).append(": ").append(h.getValue()).append("\r\n");
      }
      if (!hasHost) {
        sb.append("Host: ").append(host).append("\r\n");
      }
      if (bytes != null) {
        sb.append("Content-Length: ").append(bytes.length).append("\r\n");
      } else if (writer != null && writerLength >= 0) {
        sb.append("Content-Length: ").append(writerLength).append("\r\n");
      } else if (writer != null) {
        sb.append("Transfer-Encoding: chunked\r\n");
      } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
        sb.append("Content-Length: 0\r\n");
      }
      sb.append("\r\n");
      conn.out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (bytes != null) {
        conn.out.write(bytes);
      } else if (writer != null) {
        OutputStream body =
            writerLength >= 0
                ? new BodyOutput.Fixed(conn.out, writerLength)
                : new BodyOutput.Chunked(conn.out);
        writer.writeTo(new BodyOutput.UntilClose(body)); // the client ends the body itself, not the writer
        body.close();
      }
      conn.out.flush();
      return readResponse(conn, method);
    }
  }

  private Response readResponse(Connection conn, String method) throws IOException {
    while (true) {
      String line = conn.in.readLine(MAX_HEADER_BYTES, 502);
      if (line == null) {
        throw new EOFException("server closed the connection before responding");
      }
      // "HTTP/1.1 200 OK"; the reason phrase may be empty or absent.
      if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
        throw new BadMessageException(502, "malformed status line \"" + line + "\"");
      }
      int status;
      try {
        status = Integer.parseInt(line.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new BadMessageException(502, "malformed status line \"" + line + "\"");
      }
      Headers headers = RequestHead.readHeaders(conn.in, MAX_HEADER_BYTES, 502);
      if (status >= 100 && status < 200 && status != 101) {
        continue; // 100 Continue and other interim responses
      }
      boolean http10 = line.startsWith("HTTP/1.0");
      boolean keepAlive =
          http10
              ? headers.hasToken("Connection", "keep-alive")
              : !headers.hasToken("Connection", "close");
      BodyInput body;
      if (status == 101) {
        body = BodyInput.empty();
        keepAlive = false;
      } else if (method.equals("HEAD") || Wire.bodiless(status)) {
        body = BodyInput.empty();
      } else {
        body = RequestHead.framing(headers, conn.in, true);
        if (body instanceof BodyInput.UntilClose) {
          keepAlive = false;
        }
      }
      return new Response(conn, status, headers, body, keepAlive);
    }
  }

  /** A response: status and headers read, body still on the connection. */
  public final class Response implements Closeable {
    private final Connection conn;
    private final int status;
    private final Headers headers;
    private final BodyInput body;
    private final InputStream bodyView;
    private boolean released;
    private boolean hijacked;

    private Response(Connection conn, int status, Headers headers, BodyInput body, boolean reuse) {
      this.conn = conn;
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.bodyView =
          new FilterInputStream(body) {
            @Override
            public void close() {
              Response.this.close();
            }
          };
      if (status != 101) {
        body.onEnd(() -> release(reuse));
      }
    }

    public int status() {
      return status;
    }

    public Headers headers() {
      return headers;
    }

    public String header(String name) {
      return headers.first(name);
    }

    /** The body, streamed; closing it closes the response. */
    public InputStream body() {
      return bodyView;
    }

    public byte[] bytes() throws IOException {
      try (this) {
        return body.readAllBytes();
      }
    }

    public String text() throws IOException {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    /**
     * Takes the connection over after a 101 (or a 200 raw stream, as Docker's attach answers
     * without {@code Upgrade}): raw bytes both ways from here on.
     */
    public RawConnection hijack() {
      if (released) {
        throw new IllegalStateException("response body already consumed");
      }
      hijacked = true;
      released = true;
      return new RawConnection(conn.channel, conn.in, Channels.newOutputStream(conn.channel));
    }

    private void release(boolean reuse) {
      if (released) {
        return;
      }
      released = true;
      if (reuse) {
        giveBack(conn);
      } else {
        conn.close();
      }
    }

    /** Frees the connection: back to the pool if the body was read to its end, else closed. */
    @Override
    public void close() {
      if (released || hijacked) {
        return;
      }
      try {
        // A short remainder is cheaper to skip than a new connection is to open.
        if (body.drain(64 * 1024)) {
          return; // released by onEnd
        }
      } catch (IOException e) {
        // fall through and close
      }
      released = true;
      conn.close();
    }
  }

  private Connection connect() throws IOException {
    SocketChannel ch = SocketChannel.open(address);
    try {
      if (address instanceof InetSocketAddress) {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
      return new Connection(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private synchronized Connection takeIdle() {
    return idle.pollLast();
  }

  private void giveBack(Connection conn) {
    synchronized (this) {
      if (!closed && idle.size() < MAX_IDLE) {
        idle.addLast(conn);
        return;
      }
    }
    conn.close();
  }

  /** Closes idle connections; responses still open keep theirs until they are closed. */
  @Override
  public void close() {
    List<Connection> toClose;
    synchronized (this) {
      closed = true;
      toClose = List.copyOf(idle);
      idle.clear();
    }
    toClose.forEach(Connection::close);
  }

  private static final class Connection {
    final SocketChannel channel;
    final WireInput in;
    final OutputStream out;

    Connection(SocketChannel channel) {
      this.channel = channel;
      this.in = new WireInput(Channels.newInputStream(channel), 16 * 1024);
      this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 16 * 1024);
    }

    /** Whether the server has not closed this idle connection; a non-blocking peek. */
    boolean alive() {
      if (in.available() > 0) {
        return false; // bytes nobody asked for: the connection is in an unknown state
      }
      try {
        synchronized (channel.blockingLock()) {
          channel.configureBlocking(false);
          try {
            return channel.read(ByteBuffer.allocate(1)) == 0;
          } finally {
            channel.configureBlocking(true);
          }
        }
      } catch (IOException e) {
        return false;
      }
    }

    void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}

package dev.berth.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The response to one request. Set the status and headers, then do exactly one of: {@link
 * #send(byte[])}, {@link #stream()}, {@link #hijack()}; or return from the handler to send an
 * empty body. Framing headers (Content-Length, Transfer-Encoding, Connection) are the server's:
 * the only one a handler sets is Content-Length before {@link #stream()}, to stream a body of known
 * size (a blob) instead of chunks.
 */
public final class HttpResponse {
  private enum State {
    OPEN,
    SENT,
    STREAMING,
    HIJACKED
  }

  private final ServerConnection conn;
  private final HttpRequest request;
  private final List<Map.Entry<String, String>> headers = new ArrayList<>();
  private int status = 200;
  private boolean statusSet;
  private State state = State.OPEN;
  private OutputStream body;
  private boolean closeConnection;

  HttpResponse(ServerConnection conn, HttpRequest request, boolean closeConnection) {
    this.conn = conn;
    this.request = request;
    this.closeConnection = closeConnection;
  }

  public int status() {
    return status;
  }

  public HttpResponse status(int status) {
    requireOpen();
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("invalid status " + status);
    }
    this.status = status;
    this.statusSet = true;
    return this;
  }

  /** Sets a header, replacing any value it had. */
  public HttpResponse header(String name, String value) {
    requireOpen();
    var field = Headers.field(name, value);
    headers.removeIf(h -> h.getKey().equalsIgnoreCase(name));
    headers.add(field);
    return this;
  }

  /** Adds a header line, keeping earlier ones of the same name. */
  public HttpResponse addHeader(String name, String value) {
    requireOpen();
    headers.add(Headers.field(name, value));
    return this;
  }

  public HttpResponse contentType(String value) {
    return header("Content-Type", value);
  }

  public Headers headers() {
    return Headers.ofTrusted(headers);
  }

  /** Whether the status line has gone out; after that, status and headers are fixed. */
  public boolean committed() {
    return state != State.OPEN;
  }

  /** Sends a whole body with its Content-Length. */
  public void send(byte[] bytes) throws IOException {
    requireOpen();
    state = State.SENT;
    boolean hasBody = !Wire.bodiless(status);
    writeHead(hasBody ? Framing.FIXED : Framing.NONE, bytes.length);
    if (hasBody && !isHead()) {
      conn.out().write(bytes);
    }
    conn.out().flush();
  }

  /** Sends text as UTF-8; text/plain unless a Content-Type is set. */
  public void send(String text) throws IOException {
    if (headers.stream().noneMatch(h -> h.getKey().equalsIgnoreCase("Content-Type"))) {
      contentType("text/plain; charset=utf-8");
    }
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends {@code length} bytes of {@code file}, from {@code offset}, as the whole body with its
   * Content-Length. The bytes go from the file to the socket without passing through the JVM's
   * heap ({@code FileChannel.transferTo}, sendfile on Linux): how a registry serves blobs.
   */
  public void sendFile(java.nio.file.Path file, long offset, long length) throws IOException {
    requireOpen();
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("negative offset or length");
    }
    state = State.SENT;
    boolean hasBody = !Wire.bodiless(status);
    writeHead(hasBody ? Framing.FIXED : Framing.NONE, length);
    conn.out().flush();
    if (hasBody && !isHead()) {
      conn.transferFrom(file, offset, length);
    }
  }

  /**
   * Sends the head and returns a stream for the body: chunked, or fixed-length if the handler set
   * Content-Length. {@code flush()} pushes what was written to the client at once (progress lines).
   * Closing the stream ends the body; the server closes it when the handler returns if not.
   */
  public OutputStream stream() throws IOException {
    requireOpen();
    state = State.STREAMING;
    String declared = header("Content-Length");
    if (Wire.bodiless(status)) {
      writeHead(Framing.NONE, 0);
      body = OutputStream.nullOutputStream();
    } else if (declared != null) {
      long length = parseLength(declared);
      writeHead(Framing.FIXED, length);
      body = isHead() ? OutputStream.nullOutputStream() : new BodyOutput.Fixed(conn.out(), length);
    } else if (request.version().equals("HTTP/1.0")) {
      closeConnection = true;
      writeHead(Framing.UNTIL_CLOSE, 0);
      body = isHead() ? OutputStream.nullOutputStream() : new BodyOutput.UntilClose(conn.out());
    } else {
      writeHead(Framing.CHUNKED, 0);
      body = isHead() ? OutputStream.nullOutputStream() : new BodyOutput.Chunked(conn.out());
    }
    conn.out().flush();
    return body;
  }

  /**
   * Sends the head and hands the connection over, as Docker's attach and exec endpoints do. The
   * status is 101 Switching Protocols (with {@code Connection: Upgrade} and the requested {@code
   * Upgrade}) when the request asked to upgrade, else 200, unless the handler set one. Nothing
   * frames the bytes after the head; the connection is closed when the handler returns.
   */
  public RawConnection hijack() throws IOException {
    requireOpen();
    state = State.HIJACKED;
    closeConnection = true;
    String upgrade = request.header("Upgrade");
    if (!statusSet) {
      status = upgrade != null ? 101 : 200;
    }
    if (status == 101) {
      if (header("Upgrade") == null && upgrade != null) {
        headers.add(Headers.field("Upgrade", upgrade));
      }
    }
    writeHead(Framing.RAW, 0);
    conn.out().flush();
    return conn.hijack();
  }

  /** What the server does when the handler returns. */
  void finish() throws IOException {
    switch (state) {
      case OPEN -> send(new byte[0]);
      case STREAMING -> body.close();
      case SENT, HIJACKED -> {}
    }
  }

  boolean closesConnection() {
    return closeConnection;
  }

  boolean hijacked() {
    return state == State.HIJACKED;
  }

  private boolean isHead() {
    return request.method().equals("HEAD");
  }

  private String header(String name) {
    for (var h : headers) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue();
      }
    }
    return null;
  }

  private static long parseLength(String value) {
    try {
      long n = Long.parseLong(value.strip());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("invalid Content-Length \"" + value + "\"");
  }

  private void requireOpen() {
    if (state != State.OPEN) {
      throw new IllegalStateException("response already " + state.name().toLowerCase());
    }
  }

  private enum Framing {
    NONE,
    FIXED,
    CHUNKED,
    UNTIL_CLOSE,
    RAW
  }

  private void writeHead(Framing framing, long length) throws IOException {
    String connection = header("Connection");
    if (connection != null && connection.toLowerCase().contains("close")) {
      closeConnection = true;
    }
    var sb = new StringBuilder(256);
    sb.append("HTTP/1.1 ").append(status).append(' ').append(Wire.reason(status)).append("\r\n");
    for (var h : headers) {
      String name = h.getKey();
      if (name.equalsIgnoreCase("Content-Length")
          || name.equalsIgnoreCase("Transfer-Encoding")
          || name.equalsIgnoreCase("Connection")) {
        continue;
      }
      sb.append(name).append(": ").append(h.getValue()).append("\r\n");
    }
    switch (framing) {
      case FIXED -> sb.append("Content-Length: ").append(length).append("\r\n");
      case CHUNKED -> sb.append("Transfer-Encoding: chunked\r\n");
      case NONE, UNTIL_CLOSE, RAW -> {}
    }
    if (framing == Framing.RAW && status == 101) {
      sb.append("Connection: Upgrade\r\n");
    } else if (closeConnection || conn.serverClosing()) {
      closeConnection = true;
      sb.append("Connection: close\r\n");
    } else if (request.version().equals("HTTP/1.0")) {
      sb.append("Connection: keep-alive\r\n");
    }
    sb.append("\r\n");
    conn.out().write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
  }
}

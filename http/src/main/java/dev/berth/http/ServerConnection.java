package dev.berth.http;

import dev.berth.errors.BerthException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** One accepted connection: reads requests in turn (keep-alive) on its own virtual thread. */
final class ServerConnection implements Runnable {
  private static final System.Logger LOG = System.getLogger("dev.berth.http");
  /** An unread request body smaller than this is skipped to keep the connection; else close. */
  private static final long MAX_DRAIN = 256 * 1024;

  enum State {
    IDLE,
    BUSY,
    CLOSED
  }

  private final HttpServer server;
  private final SocketChannel channel;
  private final AtomicReference<State> state = new AtomicReference<>(State.IDLE);
  private WireInput in;
  private OutputStream out;

  ServerConnection(HttpServer server, SocketChannel channel) {
    this.server = server;
    this.channel = channel;
  }

  OutputStream out() {
    return out;
  }

  boolean serverClosing() {
    return server.closing();
  }

  /**
   * Copies part of a file to the socket, zero-copy where the kernel can; the head is already out.
   * On a virtual thread the socket is non-blocking underneath, so {@code transferTo} returns 0
   * when the socket buffer is full instead of waiting; then one chunk goes through a plain {@code
   * write}, which parks the thread until the peer has read, and sendfile resumes.
   */
  void transferFrom(java.nio.file.Path file, long offset, long length) throws IOException {
    try (var fc = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
      java.nio.ByteBuffer chunk = null;
      long sent = 0;
      while (sent < length) {
        long n = fc.transferTo(offset + sent, length - sent, channel);
        if (n > 0) {
          sent += n;
          continue;
        }
        if (chunk == null) {
          chunk = java.nio.ByteBuffer.allocateDirect(64 * 1024);
        }
        chunk.clear().limit((int) Math.min(chunk.capacity(), length - sent));
        int r = fc.read(chunk, offset + sent);
        if (r < 0) {
          throw new java.io.EOFException(file + " ended after " + sent + " of " + length + " bytes");
        }
        chunk.flip();
        while (chunk.hasRemaining()) {
          channel.write(chunk);
        }
        sent += r;
      }
    }
  }

  RawConnection hijack() {
    return new RawConnection(channel, in, Channels.newOutputStream(channel));
  }

  /** Closes the connection if it is between requests; true if it did. */
  boolean closeIfIdle() {
    if (state.compareAndSet(State.IDLE, State.CLOSED)) {
      closeQuietly();
      return true;
    }
    return false;
  }

  void forceClose() {
    state.set(State.CLOSED);
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing left to tell the peer
    }
  }

  /**
   * Closes after a response the peer may still be sending a request to. Closing a socket with
   * unread input makes the kernel reset it (TCP and unix sockets alike), and a reset can destroy
   * the response before the client reads it; so: half-close, skip what arrives for a moment, close.
   */
  private void lingerAndClose() {
    try {
      out.flush();
      channel.shutdownOutput();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  Thread.sleep(LINGER);
                } catch (InterruptedException ignored) {
                  // close now
                }
                closeQuietly();
              });
      byte[] scratch = new byte[8192];
      long seen = 0;
      for (int n; seen < MAX_LINGER_BYTES && (n = in.read(scratch)) >= 0; ) {
        seen += n;
      }
    } catch (IOException ignored) {
      // closed by the timer or the peer: either way done
    }
  }

  private static final java.time.Duration LINGER = java.time.Duration.ofMillis(500);
  private static final long MAX_LINGER_BYTES = 1024 * 1024;

  @Override
  public void run() {
    try {
      if (serve()) {
        lingerAndClose();
      }
    } catch (IOException e) {
      // The peer went away or the server closed the channel: nobody is left to tell.
    } finally {
      state.set(State.CLOSED);
      closeQuietly();
      server.forget(this);
    }
  }

  /** Serves requests until the connection is done; true if it should close gracefully. */
  private boolean serve() throws IOException {
    var options = server.options();
    in = new WireInput(Channels.newInputStream(channel), 16 * 1024);
    out = new BufferedOutputStream(Channels.newOutputStream(channel), 16 * 1024);
    while (true) {
      RequestHead head;
      try {
        head = RequestHead.read(in, options.maxRequestLineBytes(), options.maxHeaderBytes());
      } catch (BadMessageException e) {
        if (!state.compareAndSet(State.IDLE, State.BUSY)) {
          return false;
        }
        writeError(e.status(), e.getMessage());
        return true;
      }
      if (head == null || !state.compareAndSet(State.IDLE, State.BUSY)) {
        return false;
      }
      Outcome outcome = exchange(head);
      if (outcome != Outcome.KEEP_ALIVE || server.closing()) {
        return outcome == Outcome.CLOSE;
      }
      if (!state.compareAndSet(State.BUSY, State.IDLE)) {
        return false;
      }
    }
  }


  private enum Outcome {
    /** Ready for the next request. */
    KEEP_ALIVE,
    /** Response sent, connection to close (gracefully: the request may not be fully read). */
    CLOSE,
    /** Close at once: hijacked, or a response broken off halfway. */
    ABORT
  }

  /** Serves one request. */
  private Outcome exchange(RequestHead head) throws IOException {
    BodyInput body;
    HttpRequest req;
    try {
      body = head.body(in);
      req = head.toRequest(body);
    } catch (BadMessageException e) {
      writeError(e.status(), e.getMessage());
      return Outcome.CLOSE;
    }
    boolean expectContinue =
        head.version().equals("HTTP/1.1") && head.headers().hasToken("Expect", "100-continue");
    boolean[] continued = {false};
    var res = new HttpResponse(this, req, !head.keepAlive());
    if (expectContinue && !body.ended()) {
      // Only once the handler reads: a handler that refuses the upload spares the client sending it.
      body.beforeFirstRead(
          () -> {
            if (!res.committed()) {
              out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
            }
            continued[0] = true;
          });
    }
    try {
      server.handler().handle(req, res);
      res.finish();
    } catch (Exception e) {
      if (res.committed()) {
        // Half a response is out: closing is the only way left to say it failed.
        if (!(e instanceof IOException)) {
          LOG.log(Level.WARNING, "handler failed after responding to " + head.describe(), e);
        }
        return Outcome.ABORT;
      }
      if (!respondWithError(res, head, e)) {
        return Outcome.ABORT;
      }
    }
    if (res.hijacked()) {
      return Outcome.ABORT;
    }
    out.flush();
    if (!body.ended()) {
      // A client told to wait for 100 Continue may never send the body: don't wait for it.
      try {
        if ((expectContinue && !continued[0]) || !body.drain(MAX_DRAIN)) {
          return Outcome.CLOSE;
        }
      } catch (BadMessageException e) {
        return Outcome.CLOSE;
      }
    }
    return res.closesConnection() ? Outcome.CLOSE : Outcome.KEEP_ALIVE;
  }

  /** True if an error response went out and the connection is still in a known state. */
  private boolean respondWithError(HttpResponse res, RequestHead head, Exception e)
      throws IOException {
    int status =
        switch (e) {
          case BerthException b -> b.httpStatus();
          case HttpStatusException h -> h.status();
          case BadMessageException b -> b.status();
          default -> 500;
        };
    if (e instanceof BadMessageException) {
      // The request body was malformed: whatever follows on the wire is unknown.
      res.header("Connection", "close");
    } else if (status == 500 && e instanceof IOException) {
      // Most likely the client went away mid-body; a reply may still reach it.
      res.header("Connection", "close");
    }
    if (status == 500) {
      LOG.log(Level.WARNING, "handler failed on " + head.describe(), e);
    }
    String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    var rendered = server.options().errorRenderer().render(status, message, e);
    res.status(status).contentType(rendered.contentType());
    try {
      res.send(rendered.body());
    } catch (IOException gone) {
      return false;
    }
    return true;
  }

  /** An error found before any handler ran; the connection closes after it. */
  private void writeError(int status, String message) throws IOException {
    var rendered = server.options().errorRenderer().render(status, message, null);
    var head = new ArrayList<String>();
    head.add("HTTP/1.1 " + status + " " + Wire.reason(status));
    head.add("Content-Type: " + rendered.contentType());
    head.add("Content-Length: " + rendered.body().length);
    head.add("Connection: close");
    out.write((String.join("\r\n", head) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(rendered.body());
    out.flush();
  }
}

package dev.berth.distribution;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLContext;

/**
 * The HTTP under {@link Transport}: plain-HTTP registries (loopback, insecure ones) over berth's own
 * blocking client, HTTPS over the JDK's.
 *
 * <p>Why two: the JDK client reads every socket on one selector thread into fresh 16 KB buffers and
 * hands them over to the reading thread; on loopback that caps a pull at about a third of what the
 * registry serves (measured: 157 MB in 4 parallel blobs, 270 ms with the JDK client, 55 ms with
 * blocking sockets on virtual threads, each reading straight into the caller's buffer). TLS stays
 * with the JDK client, which does it well and knows certs.d contexts.
 */
final class Http {
  private Http() {}

  /** A request body: bytes, or a range of a file sent with progress. */
  sealed interface Body {
    long length();
  }

  record Bytes(byte[] bytes) implements Body {
    @Override
    public long length() {
      return bytes.length;
    }
  }

  /** {@code length} bytes of {@code file} from {@code from}; {@code sent} hears the running count. */
  record FileRange(Path file, long from, long length, LongConsumer sent) implements Body {}

  /** One request; made afresh per attempt, so a body can be sent again. */
  static final class Request {
    final String method;
    final URI uri;
    final List<Map.Entry<String, String>> headers = new ArrayList<>();
    final Body body;

    private Request(String method, URI uri, Body body) {
      this.method = method;
      this.uri = uri;
      this.body = body;
    }

    static Request get(URI uri) {
      return new Request("GET", uri, null);
    }

    static Request head(URI uri) {
      return new Request("HEAD", uri, null);
    }

    static Request post(URI uri) {
      return new Request("POST", uri, null);
    }

    static Request put(URI uri, Body body) {
      return new Request("PUT", uri, body);
    }

    static Request patch(URI uri, Body body) {
      return new Request("PATCH", uri, body);
    }

    Request header(String name, String value) {
      headers.add(Map.entry(name, value));
      return this;
    }

    Optional<String> header(String name) {
      return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }
  }

  /** A response whose body is still on the connection; reading it to the end or closing it frees that. */
  interface Response {
    int statusCode();

    Optional<String> header(String name);

    InputStream body();

    /** The URI asked, to resolve a relative Location against. */
    URI uri();
  }

  /** Clients per host: berth's for http, the JDK's (with the host's TLS context) for https. */
  static final class Clients implements AutoCloseable {
    private final Map<String, dev.berth.http.HttpClient> plain = new ConcurrentHashMap<>();
    private final Map<String, HttpClient> tls = new ConcurrentHashMap<>();
    private final java.util.function.Function<String, SSLContext> contexts;

    /** @param contexts the TLS context for a host:port, or null for the JDK's default */
    Clients(java.util.function.Function<String, SSLContext> contexts) {
      this.contexts = contexts;
    }

    Response send(Request r) throws IOException, InterruptedException {
      return "http".equalsIgnoreCase(r.uri.getScheme()) ? sendPlain(r) : sendTls(r);
    }

    /** The JDK client for {@code host} (host:port): for token servers, and HTTPS registries. */
    HttpClient jdk(String host) {
      return tls.computeIfAbsent(host, h -> {
        var b = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(15))
            // Redirects (to blob storage) are followed by hand, without our Authorization header.
            .followRedirects(HttpClient.Redirect.NEVER);
        SSLContext ctx = contexts.apply(h);
        if (ctx != null) {
          b.sslContext(ctx);
        }
        return b.build();
      });
    }

    private Response sendPlain(Request r) throws IOException {
      URI u = r.uri;
      String host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
      int port = u.getPort() < 0 ? 80 : u.getPort();
      var client = plain.computeIfAbsent(host + " " + port, k -> dev.berth.http.HttpClient.tcp(host, port));
      String target = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
          + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "");
      var req = client.request(r.method, target).header("Host", u.getRawAuthority());
      for (var h : r.headers) {
        req.header(h.getKey(), h.getValue());
      }
      switch (r.body) {
        case null -> { }
        case Bytes b -> req.body(b.bytes());
        case FileRange f -> req.body(f.length(), out -> copy(f, out));
      }
      var res = req.send();
      return new Response() {
        @Override
        public int statusCode() {
          return res.status();
        }

        @Override
        public Optional<String> header(String name) {
          return Optional.ofNullable(res.header(name));
        }

        @Override
        public InputStream body() {
          return res.body();
        }

        @Override
        public URI uri() {
          return u;
        }
      };
    }

    /** Large reads, so each socket write carries a megabyte rather than the 8 KB of a stream copy. */
    private static void copy(FileRange f, OutputStream out) throws IOException {
      try (FileChannel ch = FileChannel.open(f.file(), StandardOpenOption.READ)) {
        byte[] buf = new byte[1 << 20];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long done = 0;
        while (done < f.length()) {
          bb.clear().limit((int) Math.min(buf.length, f.length() - done));
          int n = ch.read(bb, f.from() + done);
          if (n < 0) {
            throw new IOException("blob " + f.file() + " ended at " + (f.from() + done) + " bytes, before the "
                + (f.from() + f.length()) + " to upload");
          }
          out.write(buf, 0, n);
          done += n;
          f.sent().accept(done);
        }
      }
    }

    private Response sendTls(Request r) throws IOException, InterruptedException {
      var b = HttpRequest.newBuilder(r.uri);
      for (var h : r.headers) {
        b.header(h.getKey(), h.getValue());
      }
      HttpRequest.BodyPublisher publisher = switch (r.body) {
        case null -> HttpRequest.BodyPublishers.noBody();
        case Bytes bytes -> HttpRequest.BodyPublishers.ofByteArray(bytes.bytes());
        case FileRange f -> HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
          try {
            return new RangeStream(f);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading blob " + f.file() + ": " + e.getMessage(), e);
          }
        }), f.length());
      };
      b.method(r.method, publisher);
      HttpResponse<InputStream> res = jdk(r.uri.getRawAuthority()).send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      return new Response() {
        @Override
        public int statusCode() {
          return res.statusCode();
        }

        @Override
        public Optional<String> header(String name) {
          return res.headers().firstValue(name);
        }

        @Override
        public InputStream body() {
          return res.body();
        }

        @Override
        public URI uri() {
          return r.uri;
        }
      };
    }

    @Override
    public void close() {
      plain.values().forEach(dev.berth.http.HttpClient::close);
      tls.values().forEach(HttpClient::close);
    }
  }

  /** A file range as a stream, reporting progress. */
  private static final class RangeStream extends InputStream {
    private final FileChannel ch;
    private final FileRange range;
    private long sent;

    RangeStream(FileRange range) throws IOException {
      this.ch = FileChannel.open(range.file(), StandardOpenOption.READ);
      this.range = range;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (sent >= range.length()) {
        return -1;
      }
      int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, range.length() - sent)), range.from() + sent);
      if (n > 0) {
        sent += n;
        range.sent().accept(sent);
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }
}

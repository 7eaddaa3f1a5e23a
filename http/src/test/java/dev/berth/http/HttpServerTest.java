package dev.berth.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.NotFoundException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpServerTest {
  private static final long BIG = 200L * 1024 * 1024;

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final Set<String> connectionThreads = ConcurrentHashMap.newKeySet();

  @AfterEach
  void tearDown() throws Exception {
    for (var c : toClose.reversed()) {
      c.close();
    }
  }

  private Router router() {
    return new Router()
        .get(
            "/hello",
            (req, res) -> {
              connectionThreads.add(Thread.currentThread().getName());
              res.send("hello " + req.query().first("name", "world"));
            })
        .post(
            "/echo",
            (req, res) -> {
              byte[] body = req.body().readAllBytes();
              if (req.header("content-type") != null) {
                res.contentType(req.header("content-type"));
              }
              res.header("X-Length", "" + body.length);
              res.send(body);
            })
        .get("/images/{name...}/json", (req, res) -> res.send("image " + req.pathParam("name")))
        .delete("/images/{name...}", (req, res) -> res.status(200).send("deleted " + req.pathParam("name")))
        .get("/images/json", (req, res) -> res.send("list " + req.query().all("filter")))
        .get("/v{version}/_ping", (req, res) -> res.send("ping " + req.pathParam("version")))
        .get("/missing", (req, res) -> {
              throw new NotFoundException("no such image: busybox");
            })
        .get("/boom", (req, res) -> {
              throw new IllegalStateException("kaput");
            })
        .post(
            "/count",
            (req, res) -> {
              var d = Fixtures.count(req.body());
              res.send(d.count() + " " + d.crc() + " " + req.contentLength());
            })
        .get(
            "/download",
            (req, res) -> {
              long n = Long.parseLong(req.query("size"));
              try (OutputStream out = res.contentType("application/octet-stream").stream()) {
                Fixtures.writePattern(out, n);
              }
            })
        .get(
            "/progress",
            (req, res) -> {
              OutputStream out = res.contentType("application/json").stream();
              for (int i = 0; i < 3; i++) {
                out.write(("{\"status\":\"step " + i + "\"}\n").getBytes(UTF_8));
                out.flush();
              }
            })
        .get("/empty", (req, res) -> res.status(204))
        .post(
            "/attach",
            (req, res) -> {
              res.contentType("application/vnd.docker.raw-stream");
              try (RawConnection raw = res.hijack()) {
                var in = raw.input();
                var out = raw.output();
                for (int b; (b = in.read()) >= 0; ) {
                  out.write(Character.toUpperCase(b));
                }
                out.write("bye".getBytes(UTF_8));
              }
            })
        .get(
            "/slow",
            (req, res) -> {
              Thread.sleep(300);
              res.send("done");
            });
  }

  private HttpServer unixServer(HttpHandler handler) throws IOException {
    return track(HttpServer.start(UnixDomainSocketAddress.of(dir.resolve("run/berth.sock")), handler));
  }

  private HttpServer tcpServer(HttpHandler handler) throws IOException {
    return track(
        HttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handler));
  }

  private HttpClient unixClient() {
    return track(HttpClient.unix(dir.resolve("run/berth.sock")));
  }

  private HttpClient tcpClient(HttpServer server) {
    return track(HttpClient.tcp(InetAddress.getLoopbackAddress().getHostAddress(), server.port()));
  }

  private <T extends AutoCloseable> T track(T c) {
    toClose.add(c);
    return c;
  }

  private HttpClient client(String transport) throws IOException {
    if (transport.equals("unix")) {
      unixServer(router());
      return unixClient();
    }
    return tcpClient(tcpServer(router()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"unix", "tcp"})
  void roundTrips(String transport) throws IOException {
    HttpClient client = client(transport);

    try (var res = client.get("/hello?name=berth")) {
      assertEquals(200, res.status());
      assertEquals("text/plain; charset=utf-8", res.header("CONTENT-TYPE"));
      assertEquals("hello berth", res.text());
    }
    byte[] payload = "{\"a\":1}".getBytes(UTF_8);
    try (var res =
        client.request("POST", "/echo").header("Content-Type", "application/json").body(payload).send()) {
      assertEquals("application/json", res.header("content-type"));
      assertEquals("7", res.header("x-length"));
      assertArrayEquals(payload, res.bytes());
    }
    assertEquals("image localhost:5000/a/b:tag", client.get("/images/localhost:5000/a/b:tag/json").text());
    assertEquals(
        "image localhost:5000/a/b:tag",
        client.get("/images/localhost%3A5000%2Fa%2Fb%3Atag/json").text());
    assertEquals(
        "deleted docker.io/library/busybox:latest",
        client.request("DELETE", "/images/docker.io/library/busybox:latest").send().text());
    assertEquals("list [a, b c]", client.get("/images/json?filter=a&x=1&filter=b+c").text());
    assertEquals("ping 1.43", client.get("/v1.43/_ping").text());
  }

  @Test
  void progressStreamsChunksAndEmptyStatusesHaveNoBody() throws IOException {
    HttpClient client = client("unix");
    try (var res = client.get("/progress")) {
      assertEquals("chunked", res.header("Transfer-Encoding"));
      assertEquals(
          "{\"status\":\"step 0\"}\n{\"status\":\"step 1\"}\n{\"status\":\"step 2\"}\n", res.text());
    }
    try (var res = client.get("/empty")) {
      assertEquals(204, res.status());
      assertEquals(0, res.bytes().length);
    }
    try (var res = client.request("HEAD", "/hello").send()) {
      assertEquals(200, res.status());
      assertEquals("11", res.header("Content-Length"));
      assertEquals(0, res.bytes().length);
    }
    // The HEAD answer sent no body, so the same connection serves the next request cleanly.
    assertEquals("hello world", client.get("/hello").text());
  }

  @Test
  void errorsRenderAsDockerJson() throws IOException {
    HttpClient client = client("unix");
    try (var res = client.get("/missing")) {
      assertEquals(404, res.status());
      assertEquals("application/json", res.header("Content-Type"));
      assertEquals("{\"message\":\"no such image: busybox\"}\n", res.text());
    }
    try (var res = client.get("/boom")) {
      assertEquals(500, res.status());
      assertEquals("{\"message\":\"kaput\"}\n", res.text());
    }
    try (var res = client.get("/nowhere")) {
      assertEquals(404, res.status());
      assertEquals("{\"message\":\"page not found\"}\n", res.text());
    }
    try (var res = client.request("PUT", "/echo").body(new byte[3]).send()) {
      assertEquals(405, res.status());
      assertEquals("POST", res.header("Allow"));
      res.bytes();
    }
    // Errors don't cost the connection.
    assertEquals("hello world", client.get("/hello").text());
    assertEquals(1, connectionThreads.size());
  }

  @Test
  void errorRendererIsPluggable() throws IOException {
    ErrorRenderer registry =
        (status, message, error) ->
            new ErrorRenderer.Rendered(
                "application/json",
                ("{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":"
                        + ErrorRenderer.jsonString(message)
                        + "}]}")
                    .getBytes(UTF_8));
    var server =
        track(
            HttpServer.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                router(),
                HttpServer.Options.defaults().withErrorRenderer(registry)));
    try (var res = tcpClient(server).get("/missing")) {
      assertEquals(404, res.status());
      assertEquals(
          "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"no such image: busybox\"}]}",
          res.text());
    }
  }

  @Test
  void testsRunWithASmallHeap() {
    // The 200 MB tests only prove streaming if the body could not fit in memory.
    assertTrue(Runtime.getRuntime().maxMemory() < BIG / 2, "max heap " + Runtime.getRuntime().maxMemory());
  }

  @ParameterizedTest
  @ValueSource(strings = {"unix", "tcp"})
  void streamsTwoHundredMegabytesUpChunked(String transport) throws IOException {
    HttpClient client = client(transport);
    var sent = new Fixtures.Digest[1];
    try (var res =
        client.request("POST", "/count").body(out -> sent[0] = Fixtures.writePattern(out, BIG)).send()) {
      assertEquals(200, res.status());
      // -1: the server saw a chunked body of unknown length, and still counted every byte.
      assertEquals(BIG + " " + sent[0].crc() + " -1", res.text());
    }
  }

  @Test
  void streamsAKnownLengthUpload() throws IOException {
    HttpClient client = client("unix");
    long n = 5_000_001;
    try (var res =
        client.request("POST", "/count").body(n, out -> Fixtures.writePattern(out, n)).send()) {
      assertEquals(n + " " + Fixtures.expected(n).crc() + " " + n, res.text());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"unix", "tcp"})
  void streamsTwoHundredMegabytesDownChunked(String transport) throws IOException {
    HttpClient client = client(transport);
    try (var res = client.get("/download?size=" + BIG)) {
      assertEquals("chunked", res.header("Transfer-Encoding"));
      assertEquals(Fixtures.expected(BIG), Fixtures.count(res.body()));
    }
    // After 200 MB the connection is still good for more.
    assertEquals("hello world", client.get("/hello").text());
  }

  @Test
  void keepAliveServesManyRequestsOnOneConnection() throws IOException {
    HttpClient client = client("unix");
    for (int i = 0; i < 200; i++) {
      try (var res = client.get("/hello?name=" + i)) {
        assertEquals("hello " + i, res.text());
      }
    }
    assertEquals(1, connectionThreads.size(), "requests were spread over " + connectionThreads);
  }

  @Test
  void concurrentClients() throws Exception {
    HttpClient client = client("unix");
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      var futures = new ArrayList<Future<?>>();
      for (int t = 0; t < 50; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    String name = id + "-" + i;
                    byte[] body = name.repeat(100).getBytes(UTF_8);
                    try (var res = client.request("POST", "/echo").body(body).send()) {
                      assertArrayEquals(body, res.bytes());
                    }
                    assertEquals("hello " + name, client.get("/hello?name=" + name).text());
                  }
                  return null;
                }));
      }
      for (var f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    assertTrue(connectionThreads.size() > 1, "50 clients at once need more than one connection");
  }

  @Test
  void hijackCarriesRawBytesBothWaysAtOnce() throws Exception {
    HttpClient client = client("unix");
    var res =
        client
            .request("POST", "/attach")
            .header("Connection", "Upgrade")
            .header("Upgrade", "tcp")
            .send();
    assertEquals(101, res.status());
    assertEquals("tcp", res.header("Upgrade"));
    assertEquals("application/vnd.docker.raw-stream", res.header("Content-Type"));
    try (RawConnection raw = res.hijack()) {
      OutputStream out = raw.output();
      InputStream in = raw.input();
      // Ping-pong proves the server echoes while the client still writes (full duplex).
      for (String word : List.of("hello ", "from ", "attach ")) {
        out.write(word.getBytes(UTF_8));
        out.flush();
        assertEquals(word.toUpperCase(), new String(in.readNBytes(word.length()), UTF_8));
      }
      raw.closeOutput(); // stdin ends; output keeps flowing until the server finishes
      assertEquals("bye", new String(in.readAllBytes(), UTF_8));
    }
  }

  @Test
  void hijackWithoutUpgradeAnswers200RawStream() throws Exception {
    unixServer(router());
    try (var raw = rawSocket()) {
      raw.out.write("POST /attach HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nabc".getBytes(ISO_8859_1));
      raw.out.flush();
      raw.ch.shutdownOutput();
      String all = new String(raw.in.readAllBytes(), ISO_8859_1);
      assertTrue(all.startsWith("HTTP/1.1 200 OK\r\n"), all);
      assertFalse(all.contains("Content-Length"), all);
      assertTrue(all.endsWith("\r\n\r\nABCbye"), all);
    }
  }

  private record Raw(SocketChannel ch, InputStream in, OutputStream out) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  private Raw rawSocket() throws IOException {
    var ch = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("run/berth.sock")));
    return new Raw(ch, Channels.newInputStream(ch), Channels.newOutputStream(ch));
  }

  /** Sends raw bytes, half-closes, and returns everything the server answered. */
  private String exchangeRaw(String request) throws IOException {
    try (var raw = rawSocket()) {
      raw.out.write(request.getBytes(ISO_8859_1));
      raw.ch.shutdownOutput();
      return new String(raw.in.readAllBytes(), ISO_8859_1);
    }
  }

  @Test
  void malformedRequestsAreRefused() throws IOException {
    unixServer(router());
    assertTrue(exchangeRaw("GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400 Bad Request\r\n"));
    assertTrue(exchangeRaw("GET /hello HTTP/1.1\r\nno colon here\r\n\r\n").startsWith("HTTP/1.1 400 "));
    assertTrue(exchangeRaw("GET /hello HTTP/1.1\r\n folded: x\r\n\r\n").startsWith("HTTP/1.1 400 "));
    assertTrue(exchangeRaw("GET /hello HTTP/2.0\r\n\r\n").startsWith("HTTP/1.1 505 "));
    assertTrue(exchangeRaw("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 400 "));
    String smuggle =
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
    assertTrue(exchangeRaw(smuggle).startsWith("HTTP/1.1 400 "));
    assertTrue(
        exchangeRaw("POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
            .startsWith("HTTP/1.1 400 "));
    assertTrue(
        exchangeRaw("POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").startsWith("HTTP/1.1 501 "));
    String badChunk = "POST /count HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n";
    String answer = exchangeRaw(badChunk);
    assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
    assertTrue(answer.contains("{\"message\":\"invalid chunk size \\\"zz\\\"\"}"), answer);
    assertTrue(answer.contains("Connection: close"), answer);
  }

  @Test
  void oversizedRequestLineAndHeadersAreRefused() throws IOException {
    unixServer(router());
    String longLine = exchangeRaw("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\n\r\n");
    assertTrue(longLine.startsWith("HTTP/1.1 414 URI Too Long\r\n"), longLine);
    var headers = new StringBuilder("GET /hello HTTP/1.1\r\n");
    for (int i = 0; i < 2000; i++) {
      headers.append("X-Filler-").append(i).append(": ").append("v".repeat(40)).append("\r\n");
    }
    String big = exchangeRaw(headers.append("\r\n").toString());
    assertTrue(big.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"), big);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws IOException {
    unixServer(router());
    String both =
        exchangeRaw(
            "GET /hello?name=one HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
                + "GET /hello?name=three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    int first = both.indexOf("hello one");
    int second = both.indexOf("\r\n\r\nabcde");
    int third = both.indexOf("hello three");
    assertTrue(first > 0 && second > first && third > second, both);
    assertTrue(both.contains("Connection: close"), both);
  }

  @Test
  void expectContinueIsAnsweredWhenTheHandlerReads() throws IOException {
    unixServer(router());
    try (var raw = rawSocket()) {
      raw.out.write(
          "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
              .getBytes(ISO_8859_1));
      String interim = readHead(raw.in);
      assertEquals("HTTP/1.1 100 Continue\r\n\r\n", interim);
      raw.out.write("hello".getBytes(ISO_8859_1));
      String head = readHead(raw.in);
      assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
      assertEquals("hello", new String(raw.in.readNBytes(5), ISO_8859_1));
    }
    // A handler that answers without reading sends no 100, and the connection then closes since
    // the client may or may not send the body.
    String refused =
        exchangeRaw(
            "POST /missing-route HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    assertTrue(refused.startsWith("HTTP/1.1 404 "), refused);
    assertFalse(refused.contains("100 Continue"), refused);
  }

  private static String readHead(InputStream in) throws IOException {
    var head = new ByteArrayOutputStream();
    while (!head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(ISO_8859_1);
  }

  @Test
  void http10ClientsGetBodiesUntilClose() throws IOException {
    unixServer(router());
    String answer = exchangeRaw("GET /progress HTTP/1.0\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
    assertFalse(answer.contains("chunked"), answer);
    assertTrue(answer.endsWith("{\"status\":\"step 2\"}\n"), answer);
  }

  @Test
  void socketFileIsPrivateAndRemovedOnClose() throws IOException {
    Path sock = dir.resolve("run/berth.sock");
    var server = HttpServer.start(UnixDomainSocketAddress.of(sock), router());
    assertTrue(Files.exists(sock));
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
    server.close();
    assertFalse(Files.exists(sock));
  }

  @Test
  void staleSocketIsReplacedAndLiveOneIsNot() throws IOException {
    Path sock = dir.resolve("run/berth.sock");
    Files.createDirectories(sock.getParent());
    // A dead server's leftover: bound, then closed without unlinking (as a crash leaves it).
    try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(sock));
    }
    assertTrue(Files.exists(sock));
    unixServer(router());
    assertEquals("hello world", unixClient().get("/hello").text());

    var second =
        assertThrows(
            FailedPreconditionException.class,
            () -> HttpServer.start(UnixDomainSocketAddress.of(sock), router()));
    assertTrue(second.getMessage().contains("another server is listening"), second.getMessage());
    // The failed start left the live server's socket in place.
    assertEquals("hello world", unixClient().get("/hello").text());

    Path file = dir.resolve("not-a-socket");
    Files.writeString(file, "data");
    assertThrows(
        FailedPreconditionException.class,
        () -> HttpServer.start(UnixDomainSocketAddress.of(file), router()));
    assertEquals("data", Files.readString(file));
  }

  @Test
  void closeLetsRequestsInFlightFinish() throws Exception {
    var server = HttpServer.start(UnixDomainSocketAddress.of(dir.resolve("run/berth.sock")), router());
    HttpClient client = unixClient();
    assertEquals("hello world", client.get("/hello").text()); // leaves an idle connection open
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> slow = pool.submit(() -> HttpClient.unix(dir.resolve("run/berth.sock")).get("/slow").text());
      Thread.sleep(100);
      long start = System.nanoTime();
      server.close();
      assertEquals("done", slow.get(5, TimeUnit.SECONDS));
      assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 2000);
    }
    assertEquals(0, server.openConnections());
    assertThrows(IOException.class, () -> client.get("/hello"));
  }

  @Test
  void clientRetriesWhenTheServerDroppedAnIdleConnection() throws IOException {
    Path sock = dir.resolve("run/berth.sock");
    var first = HttpServer.start(UnixDomainSocketAddress.of(sock), router());
    HttpClient client = unixClient();
    assertEquals("hello world", client.get("/hello").text());
    first.close(); // closes the client's pooled connection from the server side
    unixServer(router());
    assertEquals("hello again", client.get("/hello?name=again").text());
  }

  @Test
  void curlTalksToTheUnixSocket() throws Exception {
    unixServer(router());
    String sock = dir.resolve("run/berth.sock").toString();
    assertEquals("hello curl", curl("-sS", "--unix-socket", sock, "http://localhost/hello?name=curl"));
    assertEquals(
        "image localhost:5000/a/b:tag",
        curl("-sS", "--unix-socket", sock, "http://localhost/images/localhost:5000/a/b:tag/json"));
    String head = curl("-sS", "-I", "--unix-socket", sock, "http://localhost/hello");
    assertTrue(head.startsWith("HTTP/1.1 200 OK"), head);
    assertTrue(head.contains("Content-Length: 11"), head);
    assertEquals(
        "posted with continue",
        curl("-sS", "--unix-socket", sock, "-H", "Expect: 100-continue", "--data-binary",
            "posted with continue", "http://localhost/echo"));
    assertEquals(
        "chunked from curl",
        curlWithInput("chunked from curl", "-sS", "--unix-socket", sock, "-H",
            "Transfer-Encoding: chunked", "--data-binary", "@-", "http://localhost/echo"));
    assertEquals(
        "{\"message\":\"no such image: busybox\"}\n404",
        curl("-sS", "--unix-socket", sock, "-w", "%{http_code}", "http://localhost/missing"));
    // Two URLs on one command line: curl reuses the keep-alive connection.
    String twice =
        curl("-sS", "-v", "--unix-socket", sock, "http://localhost/hello", "http://localhost/hello");
    assertTrue(twice.contains("Re-using existing connection") || twice.contains("Reusing existing"), twice);
  }

  private static String curl(String... args) throws Exception {
    return curlWithInput(null, args);
  }

  private static String curlWithInput(String input, String... args) throws Exception {
    var cmd = new ArrayList<String>();
    cmd.add("/usr/bin/curl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (var stdin = p.getOutputStream()) {
      if (input != null) {
        stdin.write(input.getBytes(UTF_8));
      }
    }
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  void pathsDecodeAndQueriesKeepOrder() {
    var q = QueryParams.parse("filters=%7B%22a%22%3A1%7D&t=x&t=y&flag&sp=a+b");
    assertEquals("{\"a\":1}", q.first("filters"));
    assertEquals(List.of("x", "y"), q.all("t"));
    assertEquals("", q.first("flag"));
    assertEquals("a b", q.first("sp"));
    assertNull(q.first("nope"));
    assertEquals(List.of("filters", "t", "flag", "sp"), List.copyOf(q.asMap().keySet()));
    assertEquals("a+b/c d", Wire.percentDecode("a+b%2Fc%20d", false));
    assertThrows(IllegalArgumentException.class, () -> Wire.percentDecode("%C3%28", false));
  }

  @Test
  void routerPrefersLiteralsAndRejectsBadPatterns() throws IOException {
    var hits = new AtomicInteger();
    var router =
        new Router()
            .get("/v2/{name...}/manifests/{reference}", (req, res) -> res.send("manifest " + req.pathParam("name") + " " + req.pathParam("reference")))
            .get("/v2/{name...}/blobs/{digest}", (req, res) -> res.send("blob " + req.pathParam("name")))
            .post("/v2/{name...}/blobs/uploads/", (req, res) -> res.send("upload " + req.pathParam("name")))
            .get("/v2/", (req, res) -> res.send("base " + hits.incrementAndGet()));
    var client = tcpClient(tcpServer(router));
    assertEquals("manifest a/b/c latest", client.get("/v2/a/b/c/manifests/latest").text());
    assertEquals("blob library/busybox", client.get("/v2/library/busybox/blobs/sha256:abc").text());
    assertEquals("upload x/y", client.request("POST", "/v2/x/y/blobs/uploads/").send().text());
    assertEquals("base 1", client.get("/v2/").text());
    assertEquals(404, client.get("/v2/a/blobs/").status());
    assertThrows(IllegalArgumentException.class, () -> new Router().get("/{a...}/{b...}", (q, r) -> {}));
    assertThrows(IllegalArgumentException.class, () -> new Router().get("no-slash", (q, r) -> {}));
  }
}

package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HttpResponse#sendFile}: a file's range as the body, zero-copy, on both transports. */
class SendFileTest {
  @TempDir Path dir;

  @Test
  void sendsAWholeFileAndARangeOverTcpAndUnixSockets() throws Exception {
    byte[] content = new byte[3 * 1024 * 1024 + 7];
    new Random(1).nextBytes(content);
    Path file = dir.resolve("blob");
    Files.write(file, content);
    var router = new Router()
        .get("/all", (req, res) -> res.sendFile(file, 0, content.length))
        .get("/part", (req, res) -> res.status(206).sendFile(file, 1000, 5000));
    try (var tcp = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), router);
         var unix = HttpServer.start(UnixDomainSocketAddress.of(dir.resolve("s.sock")), router)) {
      for (HttpClient client : new HttpClient[] {HttpClient.tcp("127.0.0.1", tcp.port()), HttpClient.unix(dir.resolve("s.sock"))}) {
        try (var res = client.get("/all")) {
          assertEquals(200, res.status());
          assertEquals(Integer.toString(content.length), res.header("Content-Length"));
          assertArrayEquals(content, res.bytes());
        }
        try (var res = client.get("/part")) {
          assertEquals(206, res.status());
          assertArrayEquals(Arrays.copyOfRange(content, 1000, 6000), res.bytes());
        }
        // the connection is still usable after a zero-copy body
        try (var res = client.request("HEAD", "/all").send()) {
          assertEquals(Integer.toString(content.length), res.header("Content-Length"));
        }
      }
    }
  }
}

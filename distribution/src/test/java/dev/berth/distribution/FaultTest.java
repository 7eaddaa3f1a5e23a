package dev.berth.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.testing.tools.DistributionRegistry;
import dev.berth.testing.tools.TempDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A TCP proxy between berth and the registry that drops a blob download midway, or corrupts it. */
class FaultTest {
  static DistributionRegistry registry;
  static Path work;
  static Image image;

  @BeforeAll
  static void start() throws Exception {
    registry = DistributionRegistry.start();
    work = TempDirs.create("distribution-fault-");
    ImageStore source = TestImage.store(work.resolve("source"));
    image = TestImage.busybox(source, work, "app:1", "fault");
    source.tag("app:1", Reference.parse(registry.host() + "/fault/app:1"));
    RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS)
        .push(Reference.parse(registry.host() + "/fault/app:1"), source, ProgressListener.NONE);
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    TempDirs.deleteTree(work);
  }

  /** Forwards connections; {@code cutOnce} closes the first connection that has sent 300 KB back, {@code corrupt} flips a byte at 200 KB of each. */
  static final class Proxy implements AutoCloseable {
    final ServerSocket server;
    final AtomicBoolean cut = new AtomicBoolean();
    final AtomicBoolean sawRange = new AtomicBoolean();

    Proxy(int target, boolean cutOnce, boolean corrupt) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(() -> {
        while (!server.isClosed()) {
          try {
            Socket client = server.accept();
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
            Thread.ofVirtual().start(() -> pump(client, upstream, false, false));
            Thread.ofVirtual().start(() -> pump(upstream, client, cutOnce, corrupt));
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    int port() {
      return server.getLocalPort();
    }

    private void pump(Socket from, Socket to, boolean cutOnce, boolean corrupt) {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        byte[] buf = new byte[8192];
        long sent = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
          if (!cutOnce && !corrupt && new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains("Range: bytes=")) {
            sawRange.set(true);
          }
          if (corrupt && sent <= 200_000 && sent + n > 200_000) {
            buf[(int) (200_000 - sent)] ^= 0x5a;
          }
          if (cutOnce && sent + n > 300_000 && cut.compareAndSet(false, true)) {
            out.write(buf, 0, (int) (300_000 - sent));
            out.flush();
            break;
          }
          out.write(buf, 0, n);
          sent += n;
        }
      } catch (IOException e) {
        // the other side went away
      } finally {
        close(from);
        close(to);
      }
    }

    private static void close(Socket s) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  @Test
  void droppedBlobDownloadResumesWithRangeAndVerifies() throws Exception {
    try (var proxy = new Proxy(registry.port(), true, false)) {
      var client = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS);
      ImageStore target = TestImage.store(work.resolve("pull-cut"));
      Image pulled = client.pull(Reference.parse("127.0.0.1:" + proxy.port() + "/fault/app:1"), Platform.host(), target,
          ProgressListener.NONE);
      assertTrue(proxy.cut.get(), "the proxy cut a download");
      assertTrue(proxy.sawRange.get(), "the client asked for the rest with Range");
      assertEquals(image.target().digest(), pulled.target().digest());
      for (var layer : pulled.manifest().layers()) {
        target.content().verify(layer.digest());
      }
    }
  }

  @Test
  void wrongBytesFailThePullAndLeaveTheStoreAsItWas() throws Exception {
    try (var proxy = new Proxy(registry.port(), false, true)) {
      var client = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS);
      Path dir = work.resolve("pull-corrupt");
      ImageStore target = TestImage.store(dir);
      var e = assertThrows(InvalidArgumentException.class, () -> client.pull(
          Reference.parse("127.0.0.1:" + proxy.port() + "/fault/app:1"), Platform.host(), target, ProgressListener.NONE));
      assertTrue(e.getMessage().contains("content hashes to") && e.getMessage().contains("want sha256:"), e.getMessage());
      assertTrue(target.list().isEmpty());
      try (Stream<Path> files = Files.walk(dir.resolve("content"))) {
        assertEquals(0, files.filter(Files::isRegularFile).count(), "no blob, no temp file left");
      }
    }
  }
}

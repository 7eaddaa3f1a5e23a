package dev.berth.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A chunked upload cut in the middle of a PATCH resumes from the offset the registry reports; and
 * a layer whose diff_id is wrong fails a pull that verifies diff_ids.
 */
class InterruptedUploadTest {
  static DistributionRegistry registry;
  static Path work;
  static ImageStore source;
  static Image image;

  @BeforeAll
  static void start() throws Exception {
    registry = DistributionRegistry.start();
    work = TempDirs.create("distribution-resume-");
    source = TestImage.store(work.resolve("source"));
    image = TestImage.busybox(source, work, "app:1", "resume");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    TempDirs.deleteTree(work);
  }

  /**
   * Forwards connections to the registry and closes one, once: with {@code midChunk}, when 96 KB
   * of PATCH bodies went up (inside the second 64 KB chunk); else as the second PATCH starts,
   * before the registry sees any of it. Records whether the client then asked for the upload's
   * status (GET on the upload URL) and the Content-Range of the PATCH after that.
   */
  static final class CuttingProxy implements AutoCloseable {
    final ServerSocket server;
    final boolean midChunk;
    final AtomicLong patchBytes = new AtomicLong();
    final AtomicLong patches = new AtomicLong();
    final AtomicBoolean cut = new AtomicBoolean();
    final AtomicBoolean askedStatus = new AtomicBoolean();
    final java.util.List<String> rangesAfterStatus = new java.util.concurrent.CopyOnWriteArrayList<>();

    CuttingProxy(int target, boolean midChunk) throws IOException {
      this.midChunk = midChunk;
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(() -> {
        while (!server.isClosed()) {
          try {
            Socket client = server.accept();
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
            Thread.ofVirtual().start(() -> up(client, upstream));
            Thread.ofVirtual().start(() -> pump(upstream, client));
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    int port() {
      return server.getLocalPort();
    }

    private void up(Socket from, Socket to) {
      boolean patching = false;
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
          String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
          boolean patch = text.startsWith("PATCH /v2/");
          patching |= patch;
          if (text.startsWith("GET /v2/") && text.contains("/blobs/uploads/")) {
            askedStatus.set(true);
          }
          var range = java.util.regex.Pattern.compile("Content-Range: (\\d+)-").matcher(text);
          if (patch && askedStatus.get() && range.find()) {
            rangesAfterStatus.add(range.group(1));
          }
          if (!midChunk && patch && patches.incrementAndGet() == 2 && cut.compareAndSet(false, true)) {
            break; // nothing of this PATCH reaches the registry
          }
          if (midChunk && patching && patchBytes.addAndGet(n) > 96 * 1024 && cut.compareAndSet(false, true)) {
            out.write(buf, 0, n / 2);
            out.flush();
            break;
          }
          out.write(buf, 0, n);
        }
      } catch (IOException e) {
        // the other side went away
      } finally {
        close(from);
        close(to);
      }
    }

    private static void pump(Socket from, Socket to) {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
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
  void uploadCutBetweenChunksResumesFromTheRegistrysOffset() throws Exception {
    var proxy = pushThroughCuttingProxy("resume", false);
    // The PATCH after the status went on from what the registry had: the first 64 KB chunk.
    assertEquals(String.valueOf(64 * 1024), proxy.rangesAfterStatus.getFirst(), proxy.rangesAfterStatus.toString());
    assertPullsBackWhole("resume");
  }

  @Test
  void uploadCutInsideAChunkStartsAgainWhenTheRegistryDroppedIt() throws Exception {
    // distribution 2.8 cancels an upload whose size no longer matches its state: a new session.
    pushThroughCuttingProxy("restart", true);
    assertPullsBackWhole("restart");
  }

  private static CuttingProxy pushThroughCuttingProxy(String repository, boolean midChunk) throws IOException {
    try (var proxy = new CuttingProxy(registry.port(), midChunk)) {
      var chunked = RegistryClient.withChunkSize(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS, 64 * 1024);
      Reference ref = Reference.parse("127.0.0.1:" + proxy.port() + "/" + repository + "/app:1");
      source.tag("app:1", ref);
      PushResult pushed = chunked.push(ref, source, ProgressListener.NONE);
      assertTrue(proxy.cut.get(), "the proxy cut an upload");
      assertTrue(proxy.askedStatus.get(), "the client asked the registry where the upload stood");
      assertEquals(image.target().digest(), pushed.digest());
      assertEquals(3, pushed.blobsUploaded());
      return proxy;
    }
  }

  /** Straight from the registry: every blob arrived whole (the pull verifies digests and diff_ids). */
  private static void assertPullsBackWhole(String repository) {
    ImageStore target = TestImage.store(work.resolve("pull-" + repository));
    var client = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS).verifyingDiffIds();
    Image pulled = client.pull(Reference.parse(registry.host() + "/" + repository + "/app:1"), Platform.host(), target,
        ProgressListener.NONE);
    assertEquals(image.id(), pulled.id());
  }

  @Test
  void wrongDiffIdFailsAPullThatVerifiesThem() {
    // The same layers under a config whose first diff_id is the second's.
    var diffIds = new ArrayList<>(image.config().rootfs().diffIds());
    diffIds.set(0, diffIds.get(1));
    ImageConfig c = image.config();
    byte[] config = new ImageConfig(c.architecture(), c.author(), c.comment(), c.config(), c.container(), c.containerConfig(),
        c.created(), c.dockerVersion(), c.history(), c.os(), c.osVersion(), new ImageConfig.RootFs("layers", diffIds),
        c.variant()).toJson();
    source.content().write(config);
    byte[] manifest = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256(config),
        config.length), image.manifest().layers()).toJson();
    source.content().write(manifest);
    var target = Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256(manifest), manifest.length);
    var client = RegistryClient.create(RegistryConfig.DEFAULT, CredentialStore.ANONYMOUS);
    Reference ref = Reference.parse(registry.host() + "/bad-diff-id/app:1");
    client.push(ref, target, source.content(), List.of(), ProgressListener.NONE);

    ImageStore store = TestImage.store(work.resolve("pull-bad-diff-id"));
    var e = assertThrows(InvalidArgumentException.class, () -> client.verifyingDiffIds()
        .pullContent(ref, Platform.host(), store.content(), ProgressListener.NONE));
    assertTrue(e.getMessage().contains("diff_id is " + diffIds.get(0)), e.getMessage());
    assertEquals(0, store.content().list().count(), "nothing committed");
  }
}

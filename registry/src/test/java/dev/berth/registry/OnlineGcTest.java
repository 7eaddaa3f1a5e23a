package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.testing.tools.TempDirs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Online GC with a grace period, on a clock the test moves: garbage older than the grace period
 * goes while pushes run flat out beside the collector, and none of those pushes fails.
 */
class OnlineGcTest {
  /** A clock the test moves forward. */
  static final class MovableClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void advance(Duration d) {
      offset = offset.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }
  }

  Path root;

  @BeforeEach
  void setUp() {
    root = TempDirs.create("registry-gc-");
  }

  @AfterEach
  void tearDown() {
    TempDirs.deleteTree(root);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void collectsOldGarbageWhilePushesRunAndFailsNone() throws Exception {
    var clock = new MovableClock();
    var registry = new Registry(root, clock);
    byte[] garbage = bytes("nobody references me");
    Digest g = registry.putBlob("app", new ByteArrayInputStream(garbage), Digest.sha256(garbage), garbage.length).digest();
    clock.advance(Duration.ofHours(1)); // the garbage, and the server's start, are now an hour old

    var stop = new AtomicBoolean();
    var failures = new ConcurrentLinkedQueue<Throwable>();
    var deleted = new java.util.concurrent.atomic.AtomicInteger();
    var gc = Thread.ofVirtual().start(() -> {
      while (!stop.get()) {
        try {
          deleted.addAndGet(registry.collectGarbage(Duration.ofMinutes(10)).blobsDeleted());
        } catch (Throwable t) {
          failures.add(t);
        }
      }
    });
    var pushed = new ConcurrentLinkedQueue<String[]>();
    var pushers = new ArrayList<Thread>();
    for (int p = 0; p < 4; p++) {
      int id = p;
      pushers.add(Thread.ofVirtual().start(() -> {
        for (int i = 0; i < 10; i++) {
          try {
            byte[] cfg = bytes("{\"p\":" + id + ",\"i\":" + i + "}");
            byte[] layer = bytes("layer " + id + " " + i);
            Digest c = registry.putBlob("app", new ByteArrayInputStream(cfg), Digest.sha256(cfg), cfg.length).digest();
            Digest l = registry.putBlob("app", new ByteArrayInputStream(layer), Digest.sha256(layer), layer.length).digest();
            var r = registry.putManifest("app", "p" + id + "-" + i, RegistryApiTest.OCI_MANIFEST,
                RegistryApiTest.manifest(c.toString(), cfg, l.toString()));
            pushed.add(new String[] {r.digest().toString(), c.toString(), l.toString()});
          } catch (Throwable t) {
            failures.add(t);
          }
        }
      }));
    }
    for (Thread t : pushers) {
      t.join();
    }
    stop.set(true);
    gc.join();
    deleted.addAndGet(registry.collectGarbage(Duration.ofMinutes(10)).blobsDeleted());
    assertTrue(failures.isEmpty(), failures.toString());
    assertEquals(40, pushed.size());
    assertFalse(registry.content().contains(g), "the hour-old garbage went");
    assertEquals(1, deleted.get(), "and nothing else");
    for (String[] p : pushed) {
      assertTrue(registry.manifest("app", p[0]).bytes().length > 0);
      for (int i = 1; i < 3; i++) {
        registry.blob("app", Digest.parse(p[i]));
      }
    }
  }
}

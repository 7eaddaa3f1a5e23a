package dev.berth.testing.rootfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.tools.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BusyboxRootfsTest {
  @TempDir Path tmp;

  @Test
  void theTarHoldsBusyboxItsAppletsAndTheUsualDirectories() throws IOException {
    var rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
    var tar = tmp.resolve("busybox.tar");
    rootfs.writeTar(tar);

    var entries = read(tar, false);
    assertTrue(entries.get("bin/busybox").isFile());
    var sh = entries.get("bin/sh");
    assertTrue(sh.isSymbolicLink());
    assertEquals("busybox", sh.getLinkName());
    assertTrue(rootfs.applets().contains("sh"));
    assertEquals(01777, entries.get("tmp/").getMode() & 07777);
    for (var d : List.of("home/", "root/", "usr/local/bin/", "usr/bin/", "usr/sbin/", "sbin/", "proc/", "sys/", "dev/", "var/", "etc/")) {
      assertTrue(entries.get(d).isDirectory(), d);
    }
    for (var e : entries.values()) {
      assertEquals(0, e.getLongUserId(), e.getName());
      assertEquals(0, e.getLongGroupId(), e.getName());
      assertEquals(RootfsTar.MTIME, e.getLastModifiedTime().toInstant(), e.getName());
    }
    var names = List.copyOf(entries.keySet());
    assertEquals(names.stream().sorted().toList(), names);
    // GNU tar reads it too, and the passwd file has root.
    var passwd = Command.of("tar", "-xOf", tar.toString(), "etc/passwd").checked().out();
    assertTrue(passwd.startsWith("root:x:0:0:"), passwd);
  }

  @Test
  void theSameTreeGivesTheSameBytes() throws IOException {
    BusyboxRootfs.create(tmp.resolve("a")).writeTarGz(tmp.resolve("a.tar.gz"));
    BusyboxRootfs.create(tmp.resolve("b")).writeTarGz(tmp.resolve("b.tar.gz"));
    assertArrayEquals(Files.readAllBytes(tmp.resolve("a.tar.gz")), Files.readAllBytes(tmp.resolve("b.tar.gz")));
    assertTrue(read(tmp.resolve("a.tar.gz"), true).containsKey("bin/busybox"));
  }

  @Test
  void theVariantAndTheExtraLayerDiffer() throws IOException {
    BusyboxRootfs.create(tmp.resolve("plain")).writeTar(tmp.resolve("plain.tar"));
    BusyboxRootfs.variant(tmp.resolve("variant")).writeTar(tmp.resolve("variant.tar"));
    var variant = read(tmp.resolve("variant.tar"), false);
    assertEquals(0755, variant.get("usr/local/bin/hello").getMode() & 07777);
    assertTrue(variant.containsKey("etc/berth-variant"));
    assertFalse(read(tmp.resolve("plain.tar"), false).containsKey("etc/berth-variant"));

    BusyboxRootfs.extraLayer("one", tmp.resolve("one.tar"));
    var layer = read(tmp.resolve("one.tar"), false);
    assertEquals(List.of("etc/", "etc/layer-one", "usr/", "usr/share/", "usr/share/berth/", "usr/share/berth/one.txt"),
        List.copyOf(layer.keySet()));
  }

  @Test
  void bigLayersHaveTheAskedSizeAndDifferentContent() throws IOException {
    var tars = BusyboxRootfs.bigLayers(tmp.resolve("big"), 2, 3 * 1024 * 1024 + 5, 42);
    assertEquals(2, tars.size());
    var first = read(tars.get(0), false).get("big/layer-0.bin");
    assertEquals(3 * 1024 * 1024 + 5, first.getSize());
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(tars.get(0)), Files.readAllBytes(tars.get(1))));
    try (var s = Files.list(tmp.resolve("big"))) {
      assertEquals(2, s.count(), "only the tars remain");
    }
  }

  private static Map<String, TarArchiveEntry> read(Path tar, boolean gz) throws IOException {
    var entries = new java.util.LinkedHashMap<String, TarArchiveEntry>();
    try (var in = Files.newInputStream(tar);
        var tin = new TarArchiveInputStream(gz ? new GzipCompressorInputStream(in) : in)) {
      for (TarArchiveEntry e; (e = tin.getNextEntry()) != null; ) {
        entries.put(e.getName(), e);
      }
    }
    return entries;
  }
}

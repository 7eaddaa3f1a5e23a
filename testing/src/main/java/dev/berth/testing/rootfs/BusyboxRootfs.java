package dev.berth.testing.rootfs;

import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A busybox root filesystem built without network from Debian's busybox-static: {@code bin/busybox},
 * a symlink per applet, root and nobody in etc/passwd and etc/group, tmp (1777) and the directories
 * Docker Hub's busybox has. Written as a reproducible tar it makes a working one-layer image.
 *
 * <pre>{@code
 * var rootfs = BusyboxRootfs.create(tmp.resolve("rootfs"));
 * rootfs.writeTar(tmp.resolve("busybox.tar"));
 * var other = BusyboxRootfs.builder().file("etc/variant", "second\n").build(tmp.resolve("rootfs2"));
 * }</pre>
 */
public final class BusyboxRootfs {
  /** PATH as Docker Hub's busybox image sets it. */
  public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final List<String> DIRS = List.of(
      "bin", "dev", "etc", "home", "proc", "root", "sbin", "sys", "tmp",
      "usr", "usr/bin", "usr/local", "usr/local/bin", "usr/sbin", "var", "var/spool", "var/www");

  private static final String PASSWD = """
      root:x:0:0:root:/root:/bin/sh
      nobody:x:65534:65534:nobody:/home:/bin/false
      """;
  private static final String GROUP = """
      root:x:0:
      nobody:x:65534:
      """;

  private final Path dir;
  private final List<String> applets;

  private BusyboxRootfs(Path dir, List<String> applets) {
    this.dir = dir;
    this.applets = List.copyOf(applets);
  }

  /** The plain busybox rootfs in {@code dir} (created; must not exist or be empty). */
  public static BusyboxRootfs create(Path dir) {
    return builder().build(dir);
  }

  /**
   * A second, different image for multi-image tests: the busybox rootfs plus etc/berth-variant and
   * an executable usr/local/bin/hello, so its layer digest differs.
   */
  public static BusyboxRootfs variant(Path dir) {
    return builder()
        .file("etc/berth-variant", "variant\n")
        .executable("usr/local/bin/hello", "#!/bin/sh\necho hello from the variant\n")
        .build(dir);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Debian's static busybox: /bin/busybox (busybox-static), or wherever PATH has one. */
  public static Path busyboxBinary() {
    var bin = Path.of("/bin/busybox");
    return Files.isExecutable(bin) ? bin : Tools.requireTool("busybox");
  }

  public Path dir() {
    return dir;
  }

  /** The applet names linked in bin/ (busybox itself excluded). */
  public List<String> applets() {
    return applets;
  }

  /** The rootfs as a reproducible tar (sorted entries, fixed mtime, uid/gid 0). */
  public void writeTar(Path out) {
    RootfsTar.write(dir, out);
  }

  public void writeTarGz(Path out) {
    RootfsTar.writeGz(dir, out);
  }

  /**
   * A small layer tar to stack on top of the rootfs: a different diff for multi-layer tests. Its
   * content depends on {@code tag}, so two tags give two layers.
   */
  public static void extraLayer(String tag, Path out) {
    var files = new LinkedHashMap<String, byte[]>();
    files.put("etc/layer-" + tag, (tag + "\n").getBytes(StandardCharsets.UTF_8));
    files.put("usr/share/berth/" + tag + ".txt", ("layer " + tag + "\n").getBytes(StandardCharsets.UTF_8));
    RootfsTar.writeFiles(files, out);
  }

  /**
   * {@code count} files of {@code bytesEach} random (incompressible) bytes under {@code dir}, named
   * big-0.bin, big-1.bin, …; the same seed gives the same bytes. For benchmarks, e.g. 3 × 50 MB.
   */
  public static List<Path> bigFiles(Path dir, int count, long bytesEach, long seed) {
    var out = new ArrayList<Path>();
    try {
      Files.createDirectories(dir);
      var rnd = new SplittableRandom(seed);
      var buf = new byte[1 << 20];
      for (int i = 0; i < count; i++) {
        var f = dir.resolve("big-" + i + ".bin");
        try (var os = Files.newOutputStream(f)) {
          for (long left = bytesEach; left > 0; left -= buf.length) {
            rnd.nextBytes(buf);
            os.write(buf, 0, (int) Math.min(buf.length, left));
          }
        }
        out.add(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing big files under " + dir, e);
    }
    return out;
  }

  /**
   * {@code count} layer tars layer-0.tar, layer-1.tar, … under {@code outDir}, each holding one file
   * big/layer-N.bin of {@code bytesEach} random bytes: a many-megabyte image (e.g. 3 × 50 MB ≈ 150 MB)
   * whose layers do not compress or deduplicate.
   */
  public static List<Path> bigLayers(Path outDir, int count, long bytesEach, long seed) {
    var tars = new ArrayList<Path>();
    try {
      Files.createDirectories(outDir);
      for (int i = 0; i < count; i++) {
        var tree = Files.createTempDirectory(outDir, "tree-");
        try {
          var files = bigFiles(tree.resolve("big"), 1, bytesEach, seed + i);
          Files.move(files.getFirst(), files.getFirst().resolveSibling("layer-" + i + ".bin"));
          var tar = outDir.resolve("layer-" + i + ".tar");
          RootfsTar.write(tree, tar);
          tars.add(tar);
        } finally {
          dev.berth.testing.tools.TempDirs.deleteTree(tree);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing big layers under " + outDir, e);
    }
    return tars;
  }

  /** Builds busybox rootfs directories, optionally with extra files. */
  public static final class Builder {
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, Boolean> executable = new LinkedHashMap<>();

    private Builder() {}

    /** Adds a regular file (mode 0644) at a relative path; parents are created. */
    public Builder file(String path, String content) {
      return put(path, content.getBytes(StandardCharsets.UTF_8), false);
    }

    public Builder file(String path, byte[] content) {
      return put(path, content, false);
    }

    /** Adds a file with mode 0755. */
    public Builder executable(String path, String content) {
      return put(path, content.getBytes(StandardCharsets.UTF_8), true);
    }

    private Builder put(String path, byte[] content, boolean exec) {
      if (path.startsWith("/") || List.of(path.split("/")).contains("..")) {
        throw new IllegalArgumentException("extra file path must be relative and stay inside: " + path);
      }
      files.put(path, content.clone());
      executable.put(path, exec);
      return this;
    }

    public BusyboxRootfs build(Path dir) {
      var busybox = busyboxBinary();
      try {
        Files.createDirectories(dir);
        for (var d : DIRS) {
          Files.createDirectories(dir.resolve(d));
          Files.setPosixFilePermissions(dir.resolve(d), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setAttribute(dir.resolve("tmp"), "unix:mode", 01777);
        Files.setPosixFilePermissions(dir.resolve("root"), PosixFilePermissions.fromString("rwx------"));
        var bin = dir.resolve("bin/busybox");
        Files.copy(busybox, bin);
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        var applets = Command.of(busybox.toString(), "--list").checked().out().lines()
            .map(String::strip).filter(a -> !a.isEmpty() && !a.equals("busybox")).sorted().toList();
        for (var a : applets) {
          // Relative links: they resolve inside the rootfs, wherever it is unpacked.
          Files.createSymbolicLink(dir.resolve("bin").resolve(a), Path.of("busybox"));
        }
        write(dir.resolve("etc/passwd"), PASSWD.getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        write(dir.resolve("etc/group"), GROUP.getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        for (var f : files.entrySet()) {
          var p = dir.resolve(f.getKey());
          Files.createDirectories(p.getParent());
          write(p, f.getValue(), executable.get(f.getKey()) ? "rwxr-xr-x" : "rw-r--r--");
        }
        return new BusyboxRootfs(dir, applets);
      } catch (IOException e) {
        throw new UncheckedIOException("building the busybox rootfs in " + dir, e);
      }
    }

    private static void write(Path p, byte[] content, String perms) throws IOException {
      Files.write(p, content);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }
  }
}

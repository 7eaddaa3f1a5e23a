package dev.berth.engine.container;

import dev.berth.image.Image;
import dev.berth.snapshot.LayerUnpacker;
import dev.berth.snapshot.Mount;
import dev.berth.snapshot.Snapshotter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Container roots from the snapshotter: the image's layers unpacked once per chain ID, then a
 * writable snapshot {@code key} on top, mounted at the container's {@code rootfs} directory.
 */
public final class SnapshotRootfs implements RootfsProvider {
  private final Snapshotter snapshotter;
  private final LayerUnpacker unpacker;
  private final String name;

  public SnapshotRootfs(Snapshotter snapshotter, LayerUnpacker unpacker, String name) {
    this.snapshotter = snapshotter;
    this.unpacker = unpacker;
    this.name = name;
  }

  @Override
  public void prepare(String key, Image image, Path target) {
    String top = unpacker.unpack(image);
    var mounts = snapshotter.prepare(key, top);
    try {
      Files.createDirectories(target);
      Mount.mountAll(mounts, target);
    } catch (IOException | RuntimeException e) {
      snapshotter.remove(key);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("mounting the rootfs of " + key + " at " + target + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  @Override
  public void mount(String key, Path target) {
    if (mounted(target)) {
      return;
    }
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      throw new UncheckedIOException("mounting the rootfs of " + key + ": " + e.getMessage(), e);
    }
    Mount.mountAll(snapshotter.mounts(key), target);
  }

  @Override
  public void unmount(String key, Path target) {
    Mount.unmount(target);
  }

  @Override
  public void remove(String key, Path target) {
    Mount.unmount(target);
    if (snapshotter.stat(key).isPresent()) {
      snapshotter.remove(key);
    }
    try {
      Files.deleteIfExists(target);
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + target + ": " + e.getMessage(), e);
    }
  }

  /** The snapshotter the roots come from; builds share it for their RUN steps. */
  public Snapshotter snapshotter() {
    return snapshotter;
  }

  @Override
  public String name() {
    return name;
  }

  /** Whether something is mounted exactly at {@code target}, from /proc/self/mountinfo. */
  static boolean mounted(Path target) {
    String t = target.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4 && f[4].replace("\\040", " ").equals(t)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}

package dev.berth.snapshot;

import dev.berth.archive.Compression;
import dev.berth.archive.SafeExtractor;
import dev.berth.content.ContentProvider;
import dev.berth.errors.AlreadyExistsException;
import dev.berth.errors.BerthException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.image.Image;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Unpacks an image's layers into committed snapshots named by chain ID, each once: a layer
 * whose chain is already committed is shared, read-only, by every image and container above it.
 * Each layer is applied through the mounts of a fresh active snapshot on top of the previous
 * chain, with {@link SafeExtractor} (whiteouts on; owners, modes, xattrs, links and devices kept;
 * nothing written outside), while its uncompressed bytes are hashed: a hash that is not the
 * config's diff_id fails the unpack and commits nothing. Concurrent unpacks of the same chain in
 * this process (through any number of unpackers over the same snapshotter) wait for each other,
 * and the later ones find the layer committed.
 *
 * <pre>{@code
 * var unpacker = new LayerUnpacker(snapshotter, imageStore.content());
 * String top = unpacker.unpack(imageStore.resolve("busybox"));   // "sha256:…", the top chain ID
 * List<Mount> rootfs = snapshotter.prepare("ctr-" + id, top);
 * }</pre>
 */
public final class LayerUnpacker {
  /** Key prefix of the active snapshots unpacks work in; see {@link #removeInterrupted}. */
  public static final String EXTRACT_PREFIX = "extract-";

  private static final ConcurrentHashMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final Snapshotter snapshotter;
  private final ContentProvider content;

  public LayerUnpacker(Snapshotter snapshotter, ContentProvider content) {
    this.snapshotter = snapshotter;
    this.content = content;
  }

  /**
   * The chain IDs of a stack of layers (image-spec config.md): the first is its diff_id, each
   * next one {@code sha256(previous + " " + diff_id)}.
   */
  public static List<Digest> chainIds(List<Digest> diffIds) {
    List<Digest> chain = new ArrayList<>();
    for (Digest d : diffIds) {
      chain.add(chain.isEmpty() ? d
          : Digest.sha256((chain.getLast() + " " + d).getBytes(StandardCharsets.US_ASCII)));
    }
    return chain;
  }

  /**
   * Unpacks every layer of {@code image} not yet unpacked and returns the top chain ID, the
   * parent to prepare a container's snapshot on; null for an image without layers.
   *
   * @throws InvalidArgumentException for a corrupt or hostile layer, or a diff_id mismatch
   * @throws dev.berth.errors.NotFoundException if a layer blob is missing from the store
   */
  public String unpack(Image image) {
    try {
      return unpack(image.manifest().layers(), image.config().rootfs().diffIds());
    } catch (BerthException e) {
      throw e.during("unpacking image " + image.id().shortHex());
    }
  }

  /** As {@link #unpack(Image)}, for layers and diff_ids taken apart (e.g. by the builder). */
  public String unpack(List<Descriptor> layers, List<Digest> diffIds) {
    if (layers.size() != diffIds.size()) {
      throw new InvalidArgumentException(
          "the manifest has " + layers.size() + " layers but the config " + diffIds.size() + " diff_ids");
    }
    List<Digest> chain = chainIds(diffIds);
    String parent = null;
    for (int i = 0; i < layers.size(); i++) {
      String id = chain.get(i).toString();
      if (!isCommitted(id)) {
        ReentrantLock lock = LOCKS.computeIfAbsent(snapshotter.root() + "\0" + id, k -> new ReentrantLock());
        lock.lock();
        try {
          if (!isCommitted(id)) {
            apply(layers.get(i), diffIds.get(i), parent, id);
          }
        } finally {
          lock.unlock();
        }
      }
      parent = id;
    }
    return parent;
  }

  /**
   * Removes the work snapshots of unpacks that a crash interrupted; call once when the daemon
   * starts, before any unpack runs.
   */
  public void removeInterrupted() {
    for (SnapshotInfo s : snapshotter.list()) {
      if (s.kind() == SnapshotInfo.Kind.ACTIVE && s.name().startsWith(EXTRACT_PREFIX)) {
        snapshotter.remove(s.name());
      }
    }
  }

  private boolean isCommitted(String id) {
    return snapshotter.stat(id).map(s -> s.kind() == SnapshotInfo.Kind.COMMITTED).orElse(false);
  }

  private void apply(Descriptor layer, Digest diffId, String parent, String chainId) {
    String action = "unpacking layer " + layer.digest();
    String key = EXTRACT_PREFIX + UUID.randomUUID() + "-" + chainId;
    List<Mount> mounts = snapshotter.prepare(key, parent);
    boolean committed = false;
    Path target = null;
    try {
      target = Files.createTempDirectory(snapshotter.root().resolve("mnt"), "unpack-");
      Digest actual;
      Mount.mountAll(mounts, target);
      try (InputStream blob = content.open(layer.digest());
          DigestInputStream tar = new DigestInputStream(Compression.decompressed(blob), messageDigest(diffId))) {
        SafeExtractor.into(target, SafeExtractor.Options.layer()).extract(tar);
        tar.transferTo(OutputStream.nullOutputStream()); // the end blocks belong to the diff too
        actual = Digest.of(diffId.algorithm(), tar.getMessageDigest());
      } finally {
        Mount.unmount(target);
      }
      if (!actual.equals(diffId)) {
        throw new InvalidArgumentException(
            action + ": its uncompressed content hashes to " + actual + ", but the image config says diff_id " + diffId);
      }
      try {
        snapshotter.commit(chainId, key);
        committed = true;
      } catch (AlreadyExistsException e) {
        // Another process unpacked the same chain meanwhile: share its snapshot.
      }
    } catch (IOException e) {
      throw new UncheckedIOException(action + ": " + e.getMessage(), e);
    } catch (BerthException e) {
      throw e.getMessage().contains(layer.digest().toString()) ? e : e.during(action);
    } finally {
      if (!committed) {
        try {
          snapshotter.remove(key);
        } catch (RuntimeException ignored) {
          // Best effort: removeInterrupted() catches what is left.
        }
      }
      if (target != null) {
        try {
          Files.deleteIfExists(target);
        } catch (IOException ignored) {
          // An empty dir under mnt/ is harmless.
        }
      }
    }
  }

  private static MessageDigest messageDigest(Digest d) {
    DigestAlgorithm a = d.algorithm();
    return a.newMessageDigest();
  }
}

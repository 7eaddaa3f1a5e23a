package dev.berth.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.content.BlobInfo;
import dev.berth.content.ContentStore;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Json;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Reference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;

/**
 * Images over a content store: names (tags) pointing at manifests, kept in one metadata file that
 * is replaced atomically, so a crash leaves either the old or the new set of names.
 *
 * <p>Content and metadata stay apart: blobs are committed to the content store first, names are
 * written after, and {@link #collectGarbage()} removes blobs no image reaches. A crash between the
 * two leaves unreferenced blobs, never a name pointing at nothing.
 *
 * <p>One process owns a store; within it, writes are serialised and reads see a consistent state.
 */
public final class ImageStore {
  private static final Pattern SHORT_ID = Pattern.compile("[a-f0-9]{1,64}");

  private final Path file;
  private final ContentStore content;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  // Writers of blobs hold this shared; collection holds it exclusively. Always taken before {@code lock}.
  private final ReentrantReadWriteLock collectionLock = new ReentrantReadWriteLock();
  private Map<Digest, ImageRecord> records;

  private ImageStore(Path file, ContentStore content) {
    this.file = file;
    this.content = content;
    this.records = readRecords(file);
  }

  /** Opens (or starts) the store whose metadata lives at {@code dir/images.json}. */
  public static ImageStore open(Path dir, ContentStore content) {
    return new ImageStore(dir.resolve("images.json"), content);
  }

  public ContentStore content() {
    return content;
  }

  /** A name to give an image and the manifest it points to, for {@link #add}. */
  public record Addition(Descriptor target, List<Reference> names) {
    public Addition {
      names = List.copyOf(names);
    }
  }

  /**
   * Records images whose blobs are already in the content store, all in one metadata write. Names
   * move from whatever image held them before; an image left without names stays, dangling, as in Docker.
   */
  public List<Image> add(List<Addition> additions) {
    // Validate (read manifests and configs) before any change.
    List<ImageRecord> fresh = new ArrayList<>();
    for (Addition a : additions) {
      Manifest m = readManifest(a.target());
      Digest id = m.config().digest();
      readConfig(m);
      List<Long> layerSizes = m.layers().stream().map(this::unpackedSize).toList();
      long size = layerSizes.stream().mapToLong(Long::longValue).sum();
      List<String> names = a.names().stream().map(Reference::toString).toList();
      fresh.add(new ImageRecord(id, a.target(), names, List.of(), size, Instant.now(), names.isEmpty() ? null : Instant.now(),
          layerSizes));
    }
    lock.writeLock().lock();
    try {
      Map<Digest, ImageRecord> next = new LinkedHashMap<>(records);
      for (ImageRecord r : fresh) {
        removeNames(next, r.names());
        ImageRecord old = next.get(r.id());
        if (old != null) {
          List<String> merged = new ArrayList<>(old.names());
          merged.addAll(r.names());
          r = new ImageRecord(r.id(), r.target(), merged, old.repoDigests(), r.size(), old.added(),
              r.names().isEmpty() ? old.lastTagTime() : r.lastTagTime(), r.layerSizes());
        }
        next.put(r.id(), r);
      }
      commit(next);
      return fresh.stream().map(r -> view(next.get(r.id()))).toList();
    } finally {
      lock.writeLock().unlock();
    }
  }

  public List<Image> list() {
    lock.readLock().lock();
    try {
      return records.values().stream().map(this::view)
          .sorted(Comparator.comparing(Image::added).reversed()).toList();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Finds an image as Docker does: by name (a missing tag means {@code latest}), by
   * {@code name@digest} of its manifest, by full ID {@code sha256:…}, or by a unique ID prefix.
   */
  public Optional<Image> find(String nameOrId) {
    lock.readLock().lock();
    try {
      return findRecord(nameOrId).map(this::view);
    } finally {
      lock.readLock().unlock();
    }
  }

  public Image resolve(String nameOrId) {
    return find(nameOrId).orElseThrow(() -> new NotFoundException("No such image: " + nameOrId));
  }

  /** Points {@code target} at the image {@code source} names. */
  public Image tag(String source, Reference target) {
    if (target.tag() == null || target.digest() != null) {
      throw new InvalidArgumentException("tagging " + source + ": target " + target + " needs a tag and no digest");
    }
    lock.writeLock().lock();
    try {
      ImageRecord r = findRecord(source).orElseThrow(() -> new NotFoundException("No such image: " + source));
      Map<Digest, ImageRecord> next = new LinkedHashMap<>(records);
      removeNames(next, List.of(target.toString()));
      ImageRecord current = next.get(r.id());
      List<String> names = new ArrayList<>(current.names());
      names.add(target.toString());
      next.put(r.id(), current.withNames(names, Instant.now()));
      commit(next);
      return view(next.get(r.id()));
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Records that image {@code id} is {@code repoDigest} ({@code repository@sha256:…}) in a registry,
   * as Docker's RepoDigests after a pull or push: one per repository, the newest replacing an older one.
   */
  public Image addRepoDigest(Digest id, Reference repoDigest) {
    if (repoDigest.digest() == null || repoDigest.tag() != null) {
      throw new InvalidArgumentException("recording repo digest of " + id + ": " + repoDigest + " needs a digest and no tag");
    }
    lock.writeLock().lock();
    try {
      ImageRecord r = records.get(id);
      if (r == null) {
        throw new NotFoundException("No such image: " + id);
      }
      List<String> digests = new ArrayList<>(r.repoDigests().stream()
          .filter(d -> !Reference.parseNormalized(d).repository().equals(repoDigest.repository())).toList());
      digests.add(repoDigest.toString());
      Map<Digest, ImageRecord> next = new LinkedHashMap<>(records);
      next.put(id, new ImageRecord(r.id(), r.target(), r.names(), digests, r.size(), r.added(), r.lastTagTime(),
          r.layerSizes()));
      commit(next);
      return view(next.get(id));
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** What a removal did, in Docker's terms: names untagged, then images deleted. */
  public record Removal(List<String> untagged, List<Digest> deleted) {}

  /**
   * Removes a name, or an image by ID. By name: untags it, and deletes the image when no name is
   * left. By ID: refused when several names point at it, unless {@code force}. Blobs are collected
   * afterwards by {@link #collectGarbage()}.
   *
   * @param inUse tells whether something (a container) uses an image; such images are kept unless forced
   */
  public Removal remove(String nameOrId, boolean force, java.util.function.Predicate<Digest> inUse) {
    lock.writeLock().lock();
    try {
      ImageRecord r = findRecord(nameOrId).orElseThrow(() -> new NotFoundException("No such image: " + nameOrId));
      Map<Digest, ImageRecord> next = new LinkedHashMap<>(records);
      List<String> untagged = new ArrayList<>();
      List<Digest> deleted = new ArrayList<>();
      Optional<String> byName = nameMatch(r, nameOrId);
      if (byName.isPresent() && r.names().size() > 1) {
        untagged.add(byName.get());
        List<String> left = new ArrayList<>(r.names());
        left.remove(byName.get());
        next.put(r.id(), r.withNames(left, r.lastTagTime()));
      } else {
        if (byName.isEmpty() && r.names().size() > 1 && !force) {
          throw new FailedPreconditionException("conflict: unable to delete " + r.id().shortHex()
              + " (must be forced) - image is referenced in multiple repositories");
        }
        if (inUse.test(r.id()) && !force) {
          throw new FailedPreconditionException("conflict: unable to delete " + (byName.orElse(r.id().shortHex()))
              + " (cannot be forced) - image is being used by a container");
        }
        untagged.addAll(r.names());
        untagged.addAll(r.repoDigests());
        next.remove(r.id());
        deleted.add(r.id());
      }
      commit(next);
      return new Removal(untagged.stream().map(n -> Reference.parseNormalized(n).familiar()).toList(), deleted);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** What a prune or collection removed. */
  public record PruneReport(List<Digest> deletedImages, List<String> untagged, long reclaimedBytes) {}

  /**
   * Deletes dangling images ({@code all}: every image not in use), then the blobs nothing reaches.
   */
  public PruneReport prune(boolean all, java.util.function.Predicate<Digest> inUse) {
    collectionLock.writeLock().lock();
    lock.writeLock().lock();
    try {
      Map<Digest, ImageRecord> next = new LinkedHashMap<>(records);
      List<Digest> deleted = new ArrayList<>();
      List<String> untagged = new ArrayList<>();
      for (ImageRecord r : records.values()) {
        if ((all || r.names().isEmpty()) && !inUse.test(r.id())) {
          next.remove(r.id());
          deleted.add(r.id());
          r.names().forEach(n -> untagged.add(Reference.parseNormalized(n).familiar()));
        }
      }
      commit(next);
      return new PruneReport(deleted, untagged, collectGarbageLocked());
    } finally {
      lock.writeLock().unlock();
      collectionLock.writeLock().unlock();
    }
  }

  /** Deletes blobs that no image reaches; returns the bytes freed. */
  public long collectGarbage() {
    collectionLock.writeLock().lock();
    lock.writeLock().lock();
    try {
      return collectGarbageLocked();
    } finally {
      lock.writeLock().unlock();
      collectionLock.writeLock().unlock();
    }
  }

  /** Runs {@code action} while no collection can run, e.g. to commit blobs and then name them. */
  public <T> T withoutCollection(java.util.function.Supplier<T> action) {
    collectionLock.readLock().lock();
    try {
      return action.get();
    } finally {
      collectionLock.readLock().unlock();
    }
  }

  private long collectGarbageLocked() {
    Set<Digest> live = new HashSet<>();
    for (ImageRecord r : records.values()) {
      live.add(r.target().digest());
      Manifest m = readManifest(r.target());
      live.add(m.config().digest());
      m.layers().forEach(l -> live.add(l.digest()));
    }
    long freed = 0;
    for (BlobInfo b : content.list().toList()) {
      if (!live.contains(b.digest()) && content.delete(b.digest())) {
        freed += b.size();
      }
    }
    return freed;
  }

  /**
   * The size Docker reports for a layer: what its files and symlinks take once unpacked, hard links
   * counted once. An uncompressed layer is measured from its tar headers (content is skipped, not
   * read); a compressed one keeps its compressed size until something unpacks it.
   */
  private long unpackedSize(Descriptor layer) {
    if (!"none".equals(MediaType.layerCompression(layer.mediaType()))) {
      return layer.size();
    }
    try (var in = new java.io.BufferedInputStream(Files.newInputStream(content.path(layer.digest())), 1 << 16);
        var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(in)) {
      long size = 0;
      for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.isSymbolicLink()) {
          size += e.getLinkName().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        } else if (e.isFile() && !e.isLink()) {
          size += e.getSize();
        }
      }
      return size;
    } catch (IOException e) {
      throw new InvalidArgumentException("layer " + layer.digest() + " is not a readable tar: " + e.getMessage(), e);
    }
  }

  Manifest readManifest(Descriptor target) {
    if (!MediaType.isManifest(target.mediaType())) {
      throw new InvalidArgumentException("image target " + target.digest() + " has media type " + target.mediaType()
          + ", want an image manifest");
    }
    return Manifest.parse(content.readAllBytes(target.digest()), "manifest " + target.digest());
  }

  ImageConfig readConfig(Manifest m) {
    return ImageConfig.parse(content.readAllBytes(m.config().digest()), "image config " + m.config().digest());
  }

  private Image view(ImageRecord r) {
    Manifest m = readManifest(r.target());
    ImageConfig c = readConfig(m);
    List<Reference> tags = r.names().stream().map(Reference::parseNormalized).toList();
    List<Long> layerSizes = r.layerSizes().size() == m.layers().size() ? r.layerSizes()
        : m.layers().stream().map(Descriptor::size).toList();
    return new Image(r.id(), r.target(), tags, r.repoDigests(), m, c, r.size(), r.added(), layerSizes);
  }

  /** When the image was last tagged, as Docker reports in Metadata.LastTagTime; null if never. */
  public Optional<Instant> lastTagTime(Digest id) {
    lock.readLock().lock();
    try {
      return Optional.ofNullable(records.get(id)).map(ImageRecord::lastTagTime);
    } finally {
      lock.readLock().unlock();
    }
  }

  private Optional<ImageRecord> findRecord(String s) {
    if (s == null || s.isEmpty()) {
      return Optional.empty();
    }
    if (Digest.isDigest(s)) {
      return Optional.ofNullable(records.get(Digest.parse(s)));
    }
    Reference ref = null;
    try {
      ref = Reference.parse(s);
    } catch (InvalidArgumentException e) {
      // Not a name; may still be an ID prefix below.
    }
    if (ref != null) {
      String full = ref.toString();
      Reference byDigest = ref;
      for (ImageRecord r : records.values()) {
        if (r.names().contains(full)) {
          return Optional.of(r);
        }
        if (byDigest.digest() != null && r.target().digest().equals(byDigest.digest())
            && (r.names().stream().anyMatch(n -> Reference.parseNormalized(n).repository().equals(byDigest.repository()))
                || r.repoDigests().stream().anyMatch(n -> n.equals(byDigest.withTag(null).toString())))) {
          return Optional.of(r);
        }
      }
    }
    if (SHORT_ID.matcher(s).matches()) {
      List<ImageRecord> hits = records.values().stream().filter(r -> r.id().hex().startsWith(s)).toList();
      if (hits.size() == 1) {
        return Optional.of(hits.getFirst());
      }
      if (hits.size() > 1) {
        throw new InvalidArgumentException("ambiguous image ID prefix " + s + ": matches " + hits.size() + " images");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> nameMatch(ImageRecord r, String s) {
    try {
      String full = Reference.parse(s).toString();
      return r.names().contains(full) ? Optional.of(full) : Optional.empty();
    } catch (InvalidArgumentException e) {
      return Optional.empty();
    }
  }

  private static void removeNames(Map<Digest, ImageRecord> map, List<String> names) {
    for (var e : new ArrayList<>(map.entrySet())) {
      ImageRecord r = e.getValue();
      if (r.names().stream().anyMatch(names::contains)) {
        List<String> left = r.names().stream().filter(n -> !names.contains(n)).toList();
        map.put(e.getKey(), r.withNames(left, r.lastTagTime()));
      }
    }
  }

  private record StoredFile(@JsonProperty("version") int version, @JsonProperty("images") List<ImageRecord> images) {}

  private void commit(Map<Digest, ImageRecord> next) {
    AtomicFiles.write(file, Json.write(new StoredFile(1, List.copyOf(next.values()))));
    records = next;
  }

  private static Map<Digest, ImageRecord> readRecords(Path file) {
    Map<Digest, ImageRecord> map = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return map;
    }
    try {
      StoredFile f = Json.read(Files.readAllBytes(file), StoredFile.class, "image metadata " + file, Integer.MAX_VALUE);
      if (f.images() != null) {
        f.images().forEach(r -> map.put(r.id(), r));
      }
      return map;
    } catch (IOException e) {
      throw new UncheckedIOException("reading image metadata " + file + ": " + e.getMessage(), e);
    }
  }
}

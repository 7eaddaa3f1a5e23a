package dev.berth.engine;

import dev.berth.content.LocalContentStore;
import dev.berth.image.ArchiveLoader;
import dev.berth.image.ArchiveWriter;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.image.LoadResult;
import dev.berth.image.RootfsImporter;
import dev.berth.oci.Digest;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Images as a service: the verbs berthd serves over the Engine API. The API handlers and the CLI
 * stay thin; everything an image verb means is decided here or below.
 */
public final class ImageService {
  private final ImageStore store;
  private final ArchiveLoader loader;
  private final ArchiveWriter writer;
  private final RootfsImporter importer;
  private volatile Predicate<Digest> inUse = id -> false;
  private volatile java.util.function.Function<Digest, List<String>> users = id -> List.of();

  public ImageService(ImageStore store) {
    this.store = store;
    this.loader = new ArchiveLoader(store);
    this.writer = new ArchiveWriter(store);
    this.importer = new RootfsImporter(store);
  }

  /** Opens the image service over the state root: {@code root/content} for blobs, {@code root/images.json} for names. */
  public static ImageService open(Path root) {
    return new ImageService(ImageStore.open(root, LocalContentStore.at(root.resolve("content"))));
  }

  /** Tells which images containers use, so that removal and pruning keep them. */
  public void setInUse(Predicate<Digest> inUse) {
    this.inUse = inUse;
  }

  /** Names the containers using an image, so that removal refuses with Docker's message naming one. */
  public void setUsers(java.util.function.Function<Digest, List<String>> users) {
    this.users = users;
  }

  public ImageStore store() {
    return store;
  }

  public List<Image> list() {
    return store.list();
  }

  public Image inspect(String nameOrId) {
    return store.resolve(nameOrId);
  }

  public Optional<java.time.Instant> lastTagTime(Digest id) {
    return store.lastTagTime(id);
  }

  public Image tag(String source, String target) {
    return store.tag(source, Reference.parse(target));
  }

  /** Removes a name or an image; blobs nothing else uses are freed at once. */
  public ImageStore.Removal remove(String nameOrId, boolean force) {
    if (!force) {
      refuseInUse(nameOrId);
    }
    ImageStore.Removal r = store.remove(nameOrId, force, inUse);
    if (!r.deleted().isEmpty()) {
      store.collectGarbage();
    }
    return r;
  }

  /** Docker's conflicts when the last name of an image, or the image itself, is removed while a container uses it. */
  private void refuseInUse(String nameOrId) {
    Image image = store.find(nameOrId).orElse(null);
    if (image == null) {
      return;
    }
    List<String> using = users.apply(image.id());
    if (using.isEmpty()) {
      return;
    }
    boolean byName = image.tags().stream().anyMatch(t -> sameName(t, nameOrId));
    if (byName && image.tags().size() > 1) {
      return;
    }
    String ctr = using.getFirst().substring(0, 12);
    if (byName) {
      throw new dev.berth.errors.FailedPreconditionException("conflict: unable to remove repository reference \""
          + nameOrId + "\" (must force) - container " + ctr + " is using its referenced image " + image.id().shortHex());
    }
    throw new dev.berth.errors.FailedPreconditionException("conflict: unable to delete " + image.id().shortHex()
        + " (must be forced) - image is being used by stopped container " + ctr);
  }

  private static boolean sameName(Reference tag, String name) {
    try {
      Reference r = Reference.parseNormalized(name);
      return (r.tag() == null && r.digest() == null ? r.withTag("latest") : r).equals(tag);
    } catch (RuntimeException e) {
      return false;
    }
  }

  public ImageStore.PruneReport prune(boolean all) {
    return store.prune(all, inUse);
  }

  /** Prunes as {@link #prune(boolean)}, also keeping the images {@code keep} accepts (prune filters). */
  public ImageStore.PruneReport prune(boolean all, Predicate<Digest> keep) {
    Predicate<Digest> used = inUse;
    return store.prune(all, id -> used.test(id) || keep.test(id));
  }

  public LoadResult load(InputStream archive, String source, Platform platform, Consumer<String> progress) {
    return loader.load(archive, source, platform, progress);
  }

  public LoadResult loadDirectory(Path layout, Platform platform, Consumer<String> progress) {
    return loader.loadDirectory(layout, platform, progress);
  }

  public void save(List<String> namesOrIds, OutputStream out) {
    writer.save(namesOrIds, out);
  }

  public Image importRootfs(InputStream rootfs, RootfsImporter.Request request) {
    return importer.importRootfs(rootfs, request);
  }
}

package dev.berth.build;

import dev.berth.archive.TarEntry;
import dev.berth.archive.TarWriter;
import dev.berth.content.BlobInfo;
import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The layer a COPY or ADD makes: the copied files at their destination, plus every parent
 * directory (with its attributes from the image when it exists there, else created 0755), as an
 * uncompressed tar in sorted order, so equal inputs give equal bytes.
 */
final class CopyLayer {
  /** Where sources land and with which owner and mode. */
  record Options(Users.Owner chown, Integer chmod, boolean keepOwners, Instant now, Instant clamp) {}

  /** A source placed in the image: a file, directory or symlink of a source tree, at {@code target}. */
  private record Placed(SourceTree.Item item, boolean keepOwner) {}

  private final Path rootfs;
  private final Options options;
  private final Map<String, Placed> placed = new TreeMap<>();

  CopyLayer(Path rootfs, Options options) {
    this.rootfs = rootfs;
    this.options = options;
  }

  /**
   * Resolves a destination: {@code dest} is absolute, cleaned, and ends with "/" when the
   * Dockerfile said so. Symlinks already in the image are followed, as copying through them would.
   */
  record Destination(String path, boolean directory) {}

  Destination destination(String dest, boolean forceDirectory) throws IOException {
    boolean slash = dest.endsWith("/");
    String rel = DockerIgnore.clean(dest).substring(1);
    SourceTree image = new SourceTree(rootfs, DockerIgnore.NONE, "the image");
    if (rel.isEmpty()) {
      return new Destination("", true);
    }
    int cut = rel.lastIndexOf('/');
    String parent = image.resolveInRoot(cut < 0 ? "" : rel.substring(0, cut), true);
    String path = (parent.isEmpty() ? "" : parent + "/") + rel.substring(cut + 1);
    boolean existingDir = Files.isDirectory(rootfs.resolve(path));
    if (existingDir && Files.isSymbolicLink(rootfs.resolve(path))) {
      path = image.resolveInRoot(path, true);
    }
    return new Destination(path, slash || existingDir || forceDirectory);
  }

  /** Places one matched source: a directory's contents go into the destination, anything else to it or into it. */
  void place(SourceTree.Match m, Destination dest, boolean keepOwners) {
    if (m.directory()) {
      if (!dest.path().isEmpty()) {
        directory(dest.path());
      }
      for (SourceTree.Item child : m.children()) {
        put(join(dest.path(), child.rel()), child, keepOwners);
      }
    } else {
      put(dest.directory() ? join(dest.path(), m.baseName()) : dest.path(), m.top(), keepOwners);
    }
  }

  /** Places a single file (a heredoc, a download) at {@code target}. */
  void placeFile(String target, Path file, int mode) {
    try {
      long size = Files.size(file);
      put(target, new SourceTree.Item("", file, SourceTree.Kind.FILE, mode, 0, 0, size,
          Files.getLastModifiedTime(file).toInstant(), null), false);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
    }
  }

  private void directory(String target) {
    placed.putIfAbsent(target, null);
  }

  private void put(String target, SourceTree.Item item, boolean keepOwner) {
    if (target.isEmpty()) {
      throw new InvalidArgumentException("cannot copy a file onto the root directory \"/\"");
    }
    placed.put(target, new Placed(item, keepOwner));
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : b.isEmpty() ? a : a + "/" + b;
  }

  private Instant clamp(Instant t) {
    return options.clamp() != null && t.isAfter(options.clamp()) ? options.clamp() : t;
  }

  /** Writes the layer into the content store; returns its descriptor (uncompressed: digest = diff_id). */
  LayerBlob write(ContentStore content) {
    // Every parent directory of what is placed, so the layer is complete on its own.
    Map<String, Placed> all = new TreeMap<>(placed);
    for (String p : placed.keySet()) {
      for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
        all.putIfAbsent(p.substring(0, i), null);
      }
    }
    try (ContentWriter w = content.writer()) {
      TarWriter tar = TarWriter.to(w);
      for (Map.Entry<String, Placed> e : all.entrySet()) {
        String name = e.getKey();
        Placed p = e.getValue();
        if (p == null) {
          tar.write(new TarEntry.Directory(name, parentAttributes(name)));
          continue;
        }
        SourceTree.Item it = p.item();
        int uid = options.chown() != null ? options.chown().uid() : p.keepOwner() ? it.uid() : 0;
        int gid = options.chown() != null ? options.chown().gid() : p.keepOwner() ? it.gid() : 0;
        int mode = options.chmod() != null && it.kind() != SourceTree.Kind.SYMLINK ? options.chmod() : it.mode();
        var a = new TarEntry.Attributes(mode, uid, gid, clamp(it.mtime()));
        switch (it.kind()) {
          case DIRECTORY -> tar.write(new TarEntry.Directory(name, a));
          case SYMLINK -> tar.write(new TarEntry.Symlink(name, it.linkTarget(), new TarEntry.Attributes(0777, uid, gid,
              clamp(it.mtime()))));
          case FILE -> {
            try (InputStream in = Files.newInputStream(it.path(), LinkOption.NOFOLLOW_LINKS)) {
              tar.write(new TarEntry.RegularFile(name, it.size(), a), in);
            }
          }
        }
      }
      tar.finish();
      w.flush();
      BlobInfo info = w.commit();
      return new LayerBlob(Descriptor.of(MediaType.OCI_LAYER, info.digest(), info.size()), info.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("writing a layer: " + e.getMessage(), e);
    }
  }

  /** A parent directory: as the image has it, or created 0755 owned by the --chown user (else root). */
  private TarEntry.Attributes parentAttributes(String name) throws IOException {
    Path p = rootfs.resolve(name);
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
      return new TarEntry.Attributes((Integer) a.get("mode") & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
          ((FileTime) a.get("lastModifiedTime")).toInstant());
    }
    int uid = options.chown() == null ? 0 : options.chown().uid();
    int gid = options.chown() == null ? 0 : options.chown().gid();
    return new TarEntry.Attributes(0755, uid, gid, options.now());
  }

  /** A layer blob in the content store and its diff_id (equal for the uncompressed layers berth writes). */
  record LayerBlob(Descriptor descriptor, Digest diffId) {}
}

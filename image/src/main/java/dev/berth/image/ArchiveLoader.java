package dev.berth.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.archive.Compression;
import dev.berth.content.ContentStore;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.image.ArchiveFiles.Staged;
import dev.berth.oci.Annotations;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Index;
import dev.berth.oci.Json;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Loads image archives: {@code docker save} tars (manifest.json), OCI image layouts as tars or
 * directories (index.json), either compressed, with one or many images, and multi-platform indexes
 * (the platform asked for, or the host's).
 *
 * <p>Verify, then commit: every file is staged and hashed, every manifest, config and layer is
 * checked against its descriptor, and only then are blobs committed and names written. A bad
 * archive leaves the store exactly as it was.
 */
public final class ArchiveLoader {
  private final ImageStore store;
  private final ContentStore content;

  public ArchiveLoader(ImageStore store) {
    this.store = store;
    this.content = store.content();
  }

  /** Loads a tar stream; {@code source} names it in messages; {@code platform} null means the host's. */
  public LoadResult load(InputStream tar, String source, Platform platform, Consumer<String> progress) {
    try (ArchiveFiles files = new ArchiveFiles.FromTar(content, tar, source)) {
      return load(files, platform, progress);
    }
  }

  /** Loads an OCI image layout directory. */
  public LoadResult loadDirectory(Path dir, Platform platform, Consumer<String> progress) {
    try (ArchiveFiles files = new ArchiveFiles.FromDirectory(content, dir)) {
      return load(files, platform, progress);
    }
  }

  /** One image found in the archive, checked, waiting to be committed. */
  private record Found(Descriptor target, List<Reference> names, List<Staged> blobs, byte[] synthesizedManifest) {}

  private LoadResult load(ArchiveFiles files, Platform platform, Consumer<String> progress) {
    List<Found> found;
    var index = files.metadata("index.json");
    var dockerManifest = files.metadata("manifest.json");
    if (index.isPresent()) {
      found = fromIndex(files, index.get(), dockerManifest.orElse(null), platform);
    } else if (dockerManifest.isPresent()) {
      found = fromDockerManifest(files, dockerManifest.get());
    } else {
      throw new InvalidArgumentException("image archive " + files.source
          + " is neither a docker-archive (no manifest.json) nor an OCI image layout (no index.json)");
    }
    if (found.isEmpty()) {
      throw new NotFoundException("image archive " + files.source + " holds no image"
          + (platform == null ? "" : " for platform " + platform));
    }
    return store.withoutCollection(() -> {
      List<ImageStore.Addition> additions = new ArrayList<>();
      for (Found f : found) {
        for (Staged s : f.blobs()) {
          if (s == null) {
            continue; // already in the store
          }
          if (!content.contains(s.digest())) {
            progress.accept("Loading blob " + s.digest().shortHex() + " (" + human(s.size()) + ")");
          }
          s.writer().commit(s.digest(), s.size());
        }
        if (f.synthesizedManifest() != null) {
          content.write(f.synthesizedManifest());
        }
        additions.add(new ImageStore.Addition(f.target(), f.names()));
      }
      List<Image> images = store.add(additions);
      for (Image i : images) {
        if (i.tags().isEmpty()) {
          progress.accept("Loaded image ID: " + i.id());
        }
      }
      for (Found f : found) {
        f.names().forEach(n -> progress.accept("Loaded image: " + n.familiar()));
      }
      return new LoadResult(images);
    });
  }

  // --- OCI layout -----------------------------------------------------------------------------

  private List<Found> fromIndex(ArchiveFiles files, byte[] indexBytes, byte[] dockerManifest, Platform wanted) {
    Index index = Index.parse(indexBytes, "index.json of " + files.source);
    Map<Digest, List<Reference>> dockerNames = dockerManifest == null ? Map.of() : dockerTagsByConfig(files, dockerManifest);
    Platform platform = wanted == null ? Platform.host() : wanted;
    Map<Digest, Found> byTarget = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (Descriptor d : index.manifests()) {
      List<Reference> names = namesOf(d);
      Descriptor target = d;
      List<Staged> blobs = new ArrayList<>();
      if (MediaType.isIndex(d.mediaType())) {
        Staged s = blobFor(files, d, "index");
        blobs.add(s);
        Index nested = Index.parse(readStaged(files, d), "index " + d.digest() + " in " + files.source);
        target = nested.select(platform, "index " + d.digest() + " in " + files.source);
      } else if (!MediaType.isManifest(d.mediaType())) {
        if (MediaType.isSchema1(d.mediaType())) {
          throw new InvalidArgumentException("image archive " + files.source + ": Docker schema1 manifests are not supported");
        }
        throw new InvalidArgumentException("image archive " + files.source + ": index.json lists " + d.digest()
            + " with unknown media type \"" + d.mediaType() + "\"");
      } else if (d.platform() != null && !platform.matches(d.platform())) {
        skipped.add(d.platform().toString());
        continue;
      }
      blobs.add(blobFor(files, target, "manifest"));
      Manifest m = Manifest.parse(readStaged(files, target), "manifest " + target.digest() + " in " + files.source);
      ImageConfig config = checkImage(files, m, blobs);
      if (d.platform() == null && wanted != null && !wanted.matches(config.platform())) {
        skipped.add(config.platform().toString());
        continue;
      }
      if (names.isEmpty()) {
        names = dockerNames.getOrDefault(m.config().digest(), List.of());
      }
      Found prev = byTarget.get(target.digest());
      if (prev != null) {
        List<Reference> merged = new ArrayList<>(prev.names());
        merged.addAll(names);
        names = merged;
      }
      byTarget.put(target.digest(), new Found(target.withoutAnnotations().withPlatform(null), names, blobs, null));
    }
    if (byTarget.isEmpty() && !skipped.isEmpty()) {
      throw new NotFoundException("image archive " + files.source + " has no image for platform " + platform
          + " (it has " + skipped + "); choose one with --platform");
    }
    return List.copyOf(byTarget.values());
  }

  private static List<Reference> namesOf(Descriptor d) {
    String full = d.annotation(Annotations.CONTAINERD_IMAGE_NAME);
    if (full != null) {
      return List.of(Reference.parse(full));
    }
    String ref = d.annotation(Annotations.REF_NAME);
    // A ref.name is often only a tag ("latest"); only a full name can name an image.
    if (ref != null && (ref.contains("/") || ref.contains(":"))) {
      try {
        return List.of(Reference.parse(ref));
      } catch (InvalidArgumentException e) {
        return List.of();
      }
    }
    return List.of();
  }

  // --- docker save ----------------------------------------------------------------------------

  private record DockerEntry(@JsonProperty("Config") String config, @JsonProperty("RepoTags") List<String> repoTags,
      @JsonProperty("Layers") List<String> layers) {}

  private static DockerEntry[] dockerEntries(ArchiveFiles files, byte[] bytes) {
    DockerEntry[] entries = Json.read(bytes, DockerEntry[].class, "manifest.json of " + files.source, Json.MAX_METADATA_BYTES);
    for (DockerEntry e : entries) {
      if (e == null || e.config() == null || e.layers() == null) {
        throw new InvalidArgumentException("image archive " + files.source + ": manifest.json entry lacks Config or Layers");
      }
    }
    return entries;
  }

  private static Map<Digest, List<Reference>> dockerTagsByConfig(ArchiveFiles files, byte[] bytes) {
    Map<Digest, List<Reference>> map = new LinkedHashMap<>();
    for (DockerEntry e : dockerEntries(files, bytes)) {
      files.blob(e.config()).ifPresent(s -> map.put(s.digest(), tags(e)));
    }
    return map;
  }

  private static List<Reference> tags(DockerEntry e) {
    return e.repoTags() == null ? List.of() : e.repoTags().stream().map(Reference::parse).toList();
  }

  private List<Found> fromDockerManifest(ArchiveFiles files, byte[] bytes) {
    List<Found> found = new ArrayList<>();
    for (DockerEntry e : dockerEntries(files, bytes)) {
      Staged cfg = files.blob(e.config()).orElseThrow(() -> ArchiveFiles.missing(files.source, "config " + e.config()));
      ImageConfig config = ImageConfig.parse(readStaged(files, cfg, e.config()), "image config " + e.config() + " in " + files.source);
      List<Digest> diffIds = config.rootfs().diffIds();
      if (diffIds.size() != e.layers().size()) {
        throw new InvalidArgumentException("image archive " + files.source + ": config " + e.config() + " lists "
            + diffIds.size() + " layers, manifest.json lists " + e.layers().size());
      }
      List<Staged> blobs = new ArrayList<>();
      blobs.add(cfg);
      List<Descriptor> layers = new ArrayList<>();
      for (int i = 0; i < e.layers().size(); i++) {
        String path = e.layers().get(i);
        Staged layer = files.blob(path).orElseThrow(() -> ArchiveFiles.missing(files.source, "layer " + path));
        Compression c = Compression.detect(layer.head());
        if (c == Compression.NONE && !layer.digest().equals(diffIds.get(i))) {
          throw new InvalidArgumentException("image archive " + files.source + ": layer " + path + " hashes to "
              + layer.digest() + " but the config says its diff_id is " + diffIds.get(i));
        }
        String type = switch (c) {
          case NONE -> MediaType.DOCKER_LAYER;
          case GZIP -> MediaType.DOCKER_LAYER_GZIP;
          case ZSTD -> MediaType.OCI_LAYER_ZSTD;
        };
        blobs.add(layer);
        layers.add(Descriptor.of(type, layer.digest(), layer.size()));
      }
      Manifest m = Manifest.of(MediaType.DOCKER_MANIFEST, Descriptor.of(MediaType.DOCKER_CONFIG, cfg.digest(), cfg.size()), layers);
      byte[] mBytes = m.toJson();
      Descriptor target = Descriptor.of(MediaType.DOCKER_MANIFEST, Digest.sha256(mBytes), mBytes.length);
      found.add(new Found(target, tags(e), blobs, mBytes));
    }
    return found;
  }

  // --- checks ---------------------------------------------------------------------------------

  private ImageConfig checkImage(ArchiveFiles files, Manifest m, List<Staged> blobs) {
    if (!MediaType.isConfig(m.config().mediaType())) {
      throw new InvalidArgumentException("image archive " + files.source + ": config " + m.config().digest()
          + " has unknown media type \"" + m.config().mediaType() + "\"");
    }
    Staged cfg = blobFor(files, m.config(), "config");
    blobs.add(cfg);
    ImageConfig config = ImageConfig.parse(readStaged(files, m.config()), "image config " + m.config().digest() + " in " + files.source);
    if (config.rootfs().diffIds().size() != m.layers().size()) {
      throw new InvalidArgumentException("image archive " + files.source + ": manifest has " + m.layers().size()
          + " layers but config " + m.config().digest() + " lists " + config.rootfs().diffIds().size() + " diff_ids");
    }
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor l = m.layers().get(i);
      Staged s = blobFor(files, l, "layer");
      if ("none".equals(MediaType.layerCompression(l.mediaType())) && !l.digest().equals(config.rootfs().diffIds().get(i))) {
        throw new InvalidArgumentException("image archive " + files.source + ": uncompressed layer " + l.digest()
            + " differs from its diff_id " + config.rootfs().diffIds().get(i));
      }
      blobs.add(s);
    }
    return config;
  }

  /** The staged blob a descriptor names, checked: present (or already stored), right digest, right size. */
  private Staged blobFor(ArchiveFiles files, Descriptor d, String what) {
    String path = "blobs/" + d.digest().algorithm().id() + "/" + d.digest().hex();
    var staged = files.blob(path);
    if (staged.isEmpty()) {
      if (content.contains(d.digest())) {
        return null;
      }
      throw ArchiveFiles.missing(files.source, what + " " + d.digest() + " (" + path + ")");
    }
    Staged s = staged.get();
    if (s.size() != d.size()) {
      throw new InvalidArgumentException("image archive " + files.source + ": " + what + " " + d.digest() + " is "
          + s.size() + " bytes, its descriptor says " + d.size());
    }
    if (d.digest().algorithm() != s.digest().algorithm()) {
      // Staging hashes with sha256; a sha512 blob is verified by the writer's commit instead.
      return new Staged(s.writer(), d.digest(), s.size(), s.head());
    }
    if (!s.digest().equals(d.digest())) {
      throw new InvalidArgumentException("image archive " + files.source + ": " + path + " is corrupt: content hashes to " + s.digest());
    }
    return s;
  }

  private byte[] readStaged(ArchiveFiles files, Descriptor d) {
    String path = "blobs/" + d.digest().algorithm().id() + "/" + d.digest().hex();
    var staged = files.blob(path);
    if (staged.isEmpty()) {
      return content.readAllBytes(d.digest());
    }
    return readStaged(files, staged.get(), path);
  }

  private static byte[] readStaged(ArchiveFiles files, Staged s, String path) {
    if (s.size() > Json.MAX_METADATA_BYTES) {
      throw new InvalidArgumentException("image archive " + files.source + ": " + path + " is " + s.size()
          + " bytes, more than the limit of " + Json.MAX_METADATA_BYTES + " for JSON");
    }
    return s.writer().contentSoFar();
  }

  static String human(long bytes) {
    if (bytes < 1000) {
      return bytes + "B";
    }
    if (bytes < 1_000_000) {
      return String.format("%.1fkB", bytes / 1e3);
    }
    if (bytes < 1_000_000_000) {
      return String.format("%.1fMB", bytes / 1e6);
    }
    return String.format("%.2fGB", bytes / 1e9);
  }
}

package dev.berth.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.berth.content.ContentStore;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Annotations;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Index;
import dev.berth.oci.Json;
import dev.berth.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes images as one tar that is both an OCI image layout (oci-layout, index.json, blobs/) and a
 * {@code docker save} archive (manifest.json and repositories pointing into blobs/), as current
 * Docker does, so that OCI tools and docker-archive readers both load it.
 *
 * <p>Entries come in a fixed order with fixed metadata, so the same images give the same bytes.
 */
public final class ArchiveWriter {
  private final ImageStore store;
  private final ContentStore content;

  public ArchiveWriter(ImageStore store) {
    this.store = store;
    this.content = store.content();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"Config", "RepoTags", "Layers"})
  private record DockerEntry(@JsonProperty("Config") String config, @JsonProperty("RepoTags") List<String> repoTags,
      @JsonProperty("Layers") List<String> layers) {}

  /** Writes the images {@code namesOrIds} resolve to, each once, with the names asked for. */
  public void save(List<String> namesOrIds, OutputStream out) {
    if (namesOrIds.isEmpty()) {
      throw new InvalidArgumentException("saving images: no image named");
    }
    // Resolve all first, so that a missing image fails before any byte is written.
    Map<Digest, Image> images = new LinkedHashMap<>();
    Map<Digest, List<Reference>> names = new LinkedHashMap<>();
    for (String s : namesOrIds) {
      Image image = store.resolve(s);
      images.putIfAbsent(image.id(), image);
      List<Reference> list = names.computeIfAbsent(image.id(), k -> new ArrayList<>());
      requestedName(s, image).filter(r -> !list.contains(r)).ifPresent(list::add);
    }
    Set<Digest> blobs = new LinkedHashSet<>();
    List<Descriptor> indexEntries = new ArrayList<>();
    List<DockerEntry> dockerEntries = new ArrayList<>();
    Map<String, Map<String, String>> repositories = new TreeMap<>();
    for (Image image : images.values()) {
      blobs.add(image.target().digest());
      blobs.add(image.manifest().config().digest());
      image.manifest().layers().forEach(l -> blobs.add(l.digest()));
      List<Reference> refs = names.get(image.id());
      Descriptor target = image.target().withoutAnnotations();
      if (refs.isEmpty()) {
        indexEntries.add(target);
      }
      for (Reference r : refs) {
        indexEntries.add(target.withAnnotations(Map.of(Annotations.CONTAINERD_IMAGE_NAME, r.toString(),
            Annotations.REF_NAME, r.tag())));
        List<Descriptor> layers = image.manifest().layers();
        if (!layers.isEmpty()) {
          repositories.computeIfAbsent(r.familiarRepository(), k -> new TreeMap<>())
              .put(r.tag(), layers.getLast().digest().hex());
        }
      }
      dockerEntries.add(new DockerEntry(blobPath(image.manifest().config().digest()),
          refs.stream().map(Reference::familiar).toList(),
          image.manifest().layers().stream().map(l -> blobPath(l.digest())).toList()));
    }
    try {
      TarArchiveOutputStream tar = new TarArchiveOutputStream(out, 1 << 16);
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      directory(tar, "blobs/");
      directory(tar, "blobs/sha256/");
      for (Digest d : blobs) {
        long size = content.info(d).orElseThrow(() -> new dev.berth.errors.NotFoundException(
            "saving images: blob " + d + " is missing from the store")).size();
        TarArchiveEntry e = entry(blobPath(d), size);
        tar.putArchiveEntry(e);
        try (InputStream in = content.open(d)) {
          in.transferTo(tar);
        }
        tar.closeArchiveEntry();
      }
      file(tar, "index.json", Index.of(indexEntries).toJson());
      file(tar, "manifest.json", Json.write(dockerEntries));
      file(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      if (!repositories.isEmpty()) {
        file(tar, "repositories", Json.write(repositories));
      }
      tar.finish();
      tar.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("saving images " + namesOrIds + ": " + e.getMessage(), e);
    }
  }

  /** The name to record for a request: the name itself, or none when the image was asked for by ID. */
  private static java.util.Optional<Reference> requestedName(String s, Image image) {
    try {
      Reference r = Reference.parse(s);
      if (r.digest() == null && image.tags().contains(r)) {
        return java.util.Optional.of(r);
      }
    } catch (InvalidArgumentException e) {
      // an ID
    }
    return java.util.Optional.empty();
  }

  private static String blobPath(Digest d) {
    return "blobs/" + d.algorithm().id() + "/" + d.hex();
  }

  private static TarArchiveEntry entry(String name, long size) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(size);
    e.setMode(0100644);
    e.setModTime(0);
    e.setIds(0, 0);
    return e;
  }

  private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(040755);
    e.setModTime(0);
    e.setIds(0, 0);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    tar.putArchiveEntry(entry(name, bytes.length));
    tar.write(bytes);
    tar.closeArchiveEntry();
  }
}

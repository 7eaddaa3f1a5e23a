package dev.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.content.BlobInfo;
import dev.berth.content.ContentWriter;
import dev.berth.content.LocalContentStore;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Json;
import dev.berth.oci.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The registry's verbs over its storage, free of HTTP: what the handlers call (habit 16).
 *
 * <pre>
 * ROOT/content/        the shared blob store (blobs/sha256/HEX, ingest/), manifests included
 * ROOT/repositories/   per-repository links, tags and referrers ({@link Repositories})
 * ROOT/uploads/        upload sessions ({@link Uploads})
 * </pre>
 *
 * <h2>Online garbage collection</h2>
 *
 * {@link #collectGarbage} deletes blobs no manifest of any repository references, while pushes
 * and pulls go on. Three rules keep it from deleting what a push is about to reference:
 *
 * <ol>
 *   <li>Every operation that creates a reference to a blob (finishing an upload, a mount, a
 *       manifest PUT checking and linking its blobs) runs under the shared side of a read-write
 *       lock and first records the blob as <em>touched</em> now. The sweep runs under the exclusive
 *       side, so a reference is either complete before the sweep or made after it (and then the
 *       manifest PUT finds the blob gone and answers MANIFEST_BLOB_UNKNOWN; nothing dangles).
 *   <li>The mark phase runs without the lock; anything touched after it started is spared.
 *   <li>A grace period: blobs touched, written (mtime) or seen since the server started less than
 *       {@code gc.grace} ago are spared, so a client that uploaded its layers and is about to PUT
 *       the manifest has that long to do it. Blob data of upload sessions in flight is not in the
 *       store at all, so it is never a candidate.
 * </ol>
 *
 * Every manifest revision of every repository is a root, tagged or not; deleting a manifest
 * (DELETE by digest) is what makes its blobs collectable.
 */
public final class Registry {
  private final LocalContentStore content;
  private final Repositories repositories;
  private final Uploads uploads;
  private final Clock clock;
  private final Instant started;
  private final ReentrantReadWriteLock gcLock = new ReentrantReadWriteLock();
  private final Map<Digest, Instant> touched = new ConcurrentHashMap<>();
  private final Map<String, ContentWriter> liveWriters = new ConcurrentHashMap<>();

  public Registry(Path root, Clock clock) {
    this.content = LocalContentStore.at(root.resolve("content"));
    this.repositories = new Repositories(root.resolve("repositories"), content);
    this.uploads = new Uploads(root.resolve("uploads"));
    this.clock = clock;
    this.started = clock.instant();
  }

  public Registry(Path root) {
    this(root, Clock.systemUTC());
  }

  public Repositories repositories() {
    return repositories;
  }

  public Uploads uploads() {
    return uploads;
  }

  public LocalContentStore content() {
    return content;
  }

  // ---- blobs

  /** The blob as linked in the repository; 404 BLOB_UNKNOWN otherwise. */
  public BlobInfo blob(String name, Digest d) {
    if (!repositories.hasBlob(name, d)) {
      throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + d + " unknown to repository " + name, Map.of("digest", d.toString()));
    }
    return content.info(d).orElseThrow(() -> new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + d + " unknown", null));
  }

  public Path blobPath(Digest d) {
    return content.path(d);
  }

  /** Stores a whole blob from one request (POST ?digest= or PUT of a session with the body). */
  public BlobInfo putBlob(String name, InputStream in, Digest expected, long size) {
    BlobInfo info;
    touch(expected); // before the write: the store may already hold it, with an old mtime
    try {
      info = content.write(in, expected, size);
    } catch (InvalidArgumentException e) {
      throw mismatch(expected, e);
    }
    link(name, info.digest());
    return info;
  }

  /**
   * Appends a request body to an upload session. The bytes go to the session's file (what
   * survives a restart) and, while this process has followed the session from its first byte, to a
   * content writer hashing them as they come: finishing then only verifies and renames, instead of
   * reading the whole blob again.
   */
  public long appendUpload(Uploads.Session s, InputStream in) throws IOException {
    ContentWriter w = liveWriters.get(s.id());
    if (w == null && s.size() == 0) {
      w = content.writer();
      liveWriters.put(s.id(), w);
    }
    try {
      return s.append(in, w);
    } catch (IOException | RuntimeException e) {
      dropWriter(s.id()); // maybe out of step with the file now: finishing will copy the file
      throw e;
    }
  }

  /** Finishes a session: its data must hash to {@code expected}; the session is gone afterwards. */
  public BlobInfo finishUpload(Uploads.Session s, Digest expected) {
    BlobInfo info;
    touch(expected);
    ContentWriter live = liveWriters.remove(s.id());
    long size = s.size();
    try {
      if (live != null && live.size() == size) {
        info = live.commit(expected, size);
      } else {
        if (live != null) {
          live.close();
        }
        try (InputStream in = Files.newInputStream(s.data())) {
          info = content.write(in, expected, size);
        }
      }
    } catch (InvalidArgumentException e) {
      s.delete();
      throw mismatch(expected, e);
    } catch (IOException e) {
      throw new UncheckedIOException("finishing upload " + s.id() + ": " + e.getMessage(), e);
    }
    link(s.repository(), info.digest());
    s.delete();
    return info;
  }

  public void cancelUpload(Uploads.Session s) {
    dropWriter(s.id());
    s.delete();
  }

  /** Removes sessions untouched for {@code expiry}; returns how many. */
  public int expireUploads(Duration expiry) {
    var removed = uploads.expire(expiry);
    removed.forEach(this::dropWriter);
    return removed.size();
  }

  private void dropWriter(String id) {
    ContentWriter w = liveWriters.remove(id);
    if (w != null) {
      w.close();
    }
  }

  /** Drops the in-memory writers; the sessions stay on disk for the next process. */
  public void close() {
    liveWriters.keySet().forEach(this::dropWriter);
  }

  private static RegistryException mismatch(Digest expected, InvalidArgumentException e) {
    return new RegistryException(ErrorCode.DIGEST_INVALID, 400, e.getMessage(), Map.of("digest", expected.toString()));
  }

  private void link(String name, Digest d) {
    gcLock.readLock().lock();
    try {
      touch(d);
      if (!content.contains(d)) {
        throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + d + " was removed while being linked; push it again");
      }
      repositories.linkBlob(name, d);
    } finally {
      gcLock.readLock().unlock();
    }
  }

  /** Links a blob of {@code from} into {@code name}; false when {@code from} does not hold it. */
  public boolean mount(String name, String from, Digest d) {
    gcLock.readLock().lock();
    try {
      if (!repositories.hasBlob(from, d)) {
        return false;
      }
      touch(d);
      repositories.linkBlob(name, d);
      return true;
    } finally {
      gcLock.readLock().unlock();
    }
  }

  public void deleteBlob(String name, Digest d) {
    if (!repositories.unlinkBlob(name, d)) {
      throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + d + " unknown to repository " + name, Map.of("digest", d.toString()));
    }
  }

  private void touch(Digest d) {
    touched.put(d, clock.instant());
  }

  // ---- manifests

  /** A manifest as stored: its exact bytes (habit 2). */
  public record StoredManifest(Digest digest, String mediaType, byte[] bytes) {}

  /** Resolves a tag or digest; 404 MANIFEST_UNKNOWN for anything it cannot find or parse. */
  public StoredManifest manifest(String name, String reference) {
    Digest d = resolve(name, reference);
    String type = repositories.manifestType(name, d).orElseThrow(() -> manifestUnknown(name, reference));
    return new StoredManifest(d, type, content.readAllBytes(d));
  }

  private Digest resolve(String name, String reference) {
    if (Names.looksLikeDigest(reference)) {
      try {
        return Digest.parse(reference);
      } catch (InvalidArgumentException e) {
        throw new RegistryException(ErrorCode.DIGEST_INVALID, e.getMessage());
      }
    }
    if (!Names.isTag(reference)) {
      throw manifestUnknown(name, reference);
    }
    return repositories.tag(name, reference).orElseThrow(() -> manifestUnknown(name, reference));
  }

  private static RegistryException manifestUnknown(String name, String reference) {
    return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " unknown to repository " + name);
  }

  /** What a manifest PUT did. */
  public record PutResult(Digest digest, Digest subject) {}

  /**
   * Stores a manifest under a tag or its digest, after checking it: valid JSON of a supported
   * type (the Content-Type, else its mediaType field), every blob it references linked in the
   * repository, every manifest an index lists present.
   */
  public PutResult putManifest(String name, String reference, String contentType, byte[] bytes) {
    boolean byDigest = Names.looksLikeDigest(reference);
    if (!byDigest && !Names.isTag(reference)) {
      throw new RegistryException(ErrorCode.TAG_INVALID, "invalid tag \"" + reference + "\"");
    }
    if (bytes.length > Json.MAX_MANIFEST_BYTES) {
      throw new RegistryException(ErrorCode.SIZE_INVALID, 413,
          "manifest is " + bytes.length + " bytes, more than the limit of " + Json.MAX_MANIFEST_BYTES, null);
    }
    Digest digest = Digest.sha256(bytes);
    if (byDigest) {
      Digest wanted = Names.requireDigest(reference);
      if (!wanted.algorithm().equals(digest.algorithm())) {
        digest = Digest.of(wanted.algorithm(), bytes);
      }
      if (!wanted.equals(digest)) {
        throw new RegistryException(ErrorCode.DIGEST_INVALID, 400,
            "manifest content hashes to " + digest + ", not " + wanted, Map.of("digest", wanted.toString()));
      }
    }
    var parsed = ParsedManifest.parse(bytes, contentType);
    gcLock.readLock().lock();
    try {
      touch(digest);
      for (Descriptor b : parsed.blobs()) {
        touch(b.digest());
        if (b.urls().isEmpty() && !repositories.hasBlob(name, b.digest())) {
          throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, 400,
              "manifest references blob " + b.digest() + ", unknown to repository " + name, Map.of("digest", b.digest().toString()));
        }
      }
      for (Descriptor m : parsed.manifests()) {
        touch(m.digest());
        if (repositories.manifestType(name, m.digest()).isEmpty()) {
          throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, 400,
              "index references manifest " + m.digest() + ", unknown to repository " + name, Map.of("digest", m.digest().toString()));
        }
      }
      BlobInfo stored = content.write(new java.io.ByteArrayInputStream(bytes), digest, bytes.length);
      repositories.putManifest(name, stored.digest(), parsed.mediaType());
      if (parsed.subject() != null) {
        repositories.putReferrer(name, parsed.subject().digest(), parsed.asReferrer(digest, bytes.length));
      }
      if (!byDigest) {
        repositories.putTag(name, reference, digest);
      }
    } finally {
      gcLock.readLock().unlock();
    }
    return new PutResult(digest, parsed.subject() == null ? null : parsed.subject().digest());
  }

  /** DELETE by tag removes the tag; by digest, the manifest with its tags and referrer entry. */
  public void deleteManifest(String name, String reference) {
    if (!Names.looksLikeDigest(reference)) {
      if (!Names.isTag(reference) || !repositories.deleteTag(name, reference)) {
        throw manifestUnknown(name, reference);
      }
      return;
    }
    Digest d = Names.requireDigest(reference);
    Optional<String> type = repositories.manifestType(name, d);
    if (type.isEmpty()) {
      throw manifestUnknown(name, reference);
    }
    Digest subject = null;
    try {
      var parsed = ParsedManifest.parse(content.readAllBytes(d), type.get());
      subject = parsed.subject() == null ? null : parsed.subject().digest();
    } catch (RegistryException e) {
      // Stored before it was checked as strictly: delete it all the same.
    }
    repositories.deleteManifest(name, d, subject);
  }

  // ---- discovery

  public List<String> tags(String name) {
    if (!repositories.exists(name)) {
      throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + name + " unknown");
    }
    return repositories.tags(name);
  }

  /** The referrers of {@code subject}, filtered by artifactType when given. */
  public List<JsonNode> referrers(String name, Digest subject, String artifactType) {
    var all = repositories.referrers(name, subject);
    if (artifactType == null) {
      return all;
    }
    return all.stream().filter(n -> artifactType.equals(n.path("artifactType").asText(null))).toList();
  }

  // ---- garbage collection

  public record GcResult(int blobsDeleted, long bytesFreed, int linksRemoved, int kept) {}

  public GcResult collectGarbage(Duration grace) {
    // The start is taken under the exclusive lock: a reference made before it is complete (its
    // files are written) before the mark reads them; one made after it is touched at or after it.
    Instant start;
    gcLock.writeLock().lock();
    try {
      start = clock.instant();
    } finally {
      gcLock.writeLock().unlock();
    }
    Set<Digest> marked = mark();
    List<BlobInfo> candidates;
    try (var all = content.list()) {
      candidates = all.filter(b -> !marked.contains(b.digest())).toList();
    }
    int deleted = 0;
    int kept = 0;
    long freed = 0;
    int links = 0;
    gcLock.writeLock().lock();
    try {
      Instant now = clock.instant();
      Instant cutoff = now.minus(grace);
      boolean youngServer = started.isAfter(cutoff);
      for (BlobInfo b : candidates) {
        Instant t = touched.get(b.digest());
        if (youngServer || (t != null && (t.isAfter(cutoff) || !t.isBefore(start))) || modifiedAfter(b.digest(), cutoff)) {
          kept++;
          continue;
        }
        if (content.delete(b.digest())) {
          deleted++;
          freed += b.size();
          touched.remove(b.digest());
        }
      }
      for (String repo : repositories.names()) {
        for (Digest d : repositories.blobs(repo)) {
          if (!content.contains(d)) {
            repositories.unlinkBlob(repo, d);
            links++;
          }
        }
      }
      // Forget touches that no longer protect anything.
      touched.values().removeIf(t -> t.isBefore(cutoff));
    } finally {
      gcLock.writeLock().unlock();
    }
    return new GcResult(deleted, freed, links, kept);
  }

  private boolean modifiedAfter(Digest d, Instant cutoff) {
    try {
      return Files.getLastModifiedTime(content.path(d)).toInstant().isAfter(cutoff);
    } catch (IOException | RuntimeException e) {
      return true; // unsure: keep it
    }
  }

  /** Every blob some manifest of some repository references, manifests included. */
  private Set<Digest> mark() {
    var marked = new HashSet<Digest>();
    for (String repo : repositories.names()) {
      for (Digest m : repositories.manifests(repo)) {
        marked.add(m);
        Optional<String> type = repositories.manifestType(repo, m);
        if (type.isEmpty()) {
          continue;
        }
        try {
          var parsed = ParsedManifest.parse(content.readAllBytes(m), type.get());
          parsed.blobs().forEach(b -> marked.add(b.digest()));
          parsed.manifests().forEach(c -> marked.add(c.digest()));
        } catch (RuntimeException e) {
          // Unreadable manifest: its blobs stay unmarked, but so would any client's view of them.
        }
      }
    }
    return marked;
  }

  /** The parts of a manifest or index the registry acts on. */
  record ParsedManifest(String mediaType, List<Descriptor> blobs, List<Descriptor> manifests, Descriptor subject,
                        String artifactType, Map<String, String> annotations) {

    static final Set<String> SUPPORTED = Set.of(
        MediaType.OCI_MANIFEST, MediaType.OCI_INDEX, MediaType.DOCKER_MANIFEST, MediaType.DOCKER_MANIFEST_LIST);

    static ParsedManifest parse(byte[] bytes, String contentType) {
      JsonNode root;
      try {
        root = Json.tree(bytes, "manifest", Json.MAX_MANIFEST_BYTES);
      } catch (InvalidArgumentException e) {
        throw invalid(e.getMessage());
      }
      if (!root.isObject()) {
        throw invalid("manifest is not a JSON object");
      }
      String declared = root.path("mediaType").isTextual() ? root.get("mediaType").asText() : null;
      String type = contentType == null ? null : contentType.split(";")[0].strip();
      if (type == null || type.isEmpty() || type.equals("application/json") || type.equals("application/octet-stream")) {
        type = declared != null ? declared : (root.has("manifests") ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST);
      }
      if (MediaType.isSchema1(type) || root.path("schemaVersion").asInt(-1) == 1) {
        throw invalid("Docker schema1 manifests are not supported");
      }
      if (!SUPPORTED.contains(type)) {
        throw invalid("unsupported manifest media type \"" + type + "\"");
      }
      if (declared != null && !declared.equals(type)) {
        throw invalid("manifest mediaType \"" + declared + "\" does not match Content-Type \"" + type + "\"");
      }
      if (root.path("schemaVersion").asInt(-1) != 2) {
        throw invalid("manifest schemaVersion must be 2");
      }
      var blobs = new ArrayList<Descriptor>();
      var manifests = new ArrayList<Descriptor>();
      boolean index = MediaType.isIndex(type);
      if (index) {
        if (!root.path("manifests").isArray()) {
          throw invalid("index has no manifests array");
        }
        for (JsonNode n : root.get("manifests")) {
          manifests.add(descriptor(n, "manifests[]"));
        }
      } else {
        if (!root.path("config").isObject()) {
          throw invalid("manifest has no config descriptor");
        }
        blobs.add(descriptor(root.get("config"), "config"));
        JsonNode layers = root.path("layers");
        if (!layers.isMissingNode() && !layers.isArray()) {
          throw invalid("manifest layers is not an array");
        }
        for (JsonNode n : layers) {
          blobs.add(descriptor(n, "layers[]"));
        }
      }
      Descriptor subject = root.hasNonNull("subject") ? descriptor(root.get("subject"), "subject") : null;
      String artifactType = root.path("artifactType").isTextual() ? root.get("artifactType").asText() : null;
      if (artifactType == null && !index) {
        artifactType = blobs.getFirst().mediaType();
      }
      var annotations = new LinkedHashMap<String, String>();
      root.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
      return new ParsedManifest(type, List.copyOf(blobs), List.copyOf(manifests), subject, artifactType, annotations);
    }

    Descriptor asReferrer(Digest digest, long size) {
      return new Descriptor(mediaType, digest, size, null, annotations.isEmpty() ? null : annotations, null, artifactType);
    }

    private static Descriptor descriptor(JsonNode n, String where) {
      if (!n.isObject()) {
        throw invalid(where + " is not a descriptor object");
      }
      String mediaType = n.path("mediaType").asText("");
      String digest = n.path("digest").asText("");
      if (mediaType.isEmpty() || !n.path("size").canConvertToLong() || n.path("size").asLong() < 0) {
        throw invalid(where + " descriptor needs mediaType, digest and a size >= 0");
      }
      Digest d;
      try {
        d = Digest.parse(digest);
      } catch (InvalidArgumentException e) {
        throw invalid(where + ": " + e.getMessage());
      }
      var urls = new ArrayList<String>();
      n.path("urls").forEach(u -> urls.add(u.asText()));
      return new Descriptor(mediaType, d, n.path("size").asLong(), urls, null, null, null);
    }

    private static RegistryException invalid(String message) {
      return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }
  }
}

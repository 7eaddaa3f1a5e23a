package dev.berth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.content.LocalContentStore;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Repository metadata over a content store shared by all repositories (habit 6). Blobs and manifest
 * bytes live once in the store; a repository only holds links to them:
 *
 * <pre>
 * repositories/NAME/_layers/sha256/HEX                 blob linked into NAME (empty file)
 * repositories/NAME/_manifests/revisions/sha256/HEX    manifest in NAME; the file holds its media type
 * repositories/NAME/_manifests/tags/TAG                the digest the tag points at
 * repositories/NAME/_referrers/sha256/SUBJECT/sha256-HEX   descriptor of a manifest whose subject is SUBJECT
 * </pre>
 *
 * Names are validated by {@link Names} before they reach a path: components start with
 * {@code [a-z0-9]}, so a name never escapes {@code repositories/} and never collides with the
 * {@code _}-prefixed directories. Each file is replaced atomically.
 */
public final class Repositories {
  private final Path root;
  private final LocalContentStore content;

  public Repositories(Path root, LocalContentStore content) {
    this.root = root;
    this.content = content;
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("creating " + root + ": " + e.getMessage(), e);
    }
  }

  public LocalContentStore content() {
    return content;
  }

  private Path repo(String name) {
    return root.resolve(name);
  }

  private static Path byDigest(Path dir, Digest d) {
    return dir.resolve(d.algorithm().id()).resolve(d.hex());
  }

  public boolean exists(String name) {
    Path r = repo(name);
    return Files.isDirectory(r.resolve("_manifests")) || Files.isDirectory(r.resolve("_layers"));
  }

  // ---- blobs

  public void linkBlob(String name, Digest d) {
    Path link = byDigest(repo(name).resolve("_layers"), d);
    if (!Files.exists(link)) {
      AtomicFiles.write(link, new byte[0]);
    }
  }

  /** Whether NAME links the blob and the store still holds it. */
  public boolean hasBlob(String name, Digest d) {
    return Files.exists(byDigest(repo(name).resolve("_layers"), d)) && content.contains(d);
  }

  public boolean unlinkBlob(String name, Digest d) {
    return AtomicFiles.delete(byDigest(repo(name).resolve("_layers"), d));
  }

  // ---- manifests

  /** The media type of the manifest if NAME holds it. */
  public Optional<String> manifestType(String name, Digest d) {
    String type = AtomicFiles.read(byDigest(repo(name).resolve("_manifests/revisions"), d));
    return type == null || !content.contains(d) ? Optional.empty() : Optional.of(type);
  }

  public void putManifest(String name, Digest d, String mediaType) {
    AtomicFiles.write(byDigest(repo(name).resolve("_manifests/revisions"), d), mediaType);
  }

  /** Removes the manifest, the tags pointing at it and its entry as a referrer; false if absent. */
  public boolean deleteManifest(String name, Digest d, Digest subject) {
    boolean had = AtomicFiles.delete(byDigest(repo(name).resolve("_manifests/revisions"), d));
    for (String tag : tags(name)) {
      if (d.equals(tag(name, tag).orElse(null))) {
        deleteTag(name, tag);
      }
    }
    if (subject != null) {
      AtomicFiles.delete(referrerFile(name, subject, d));
    }
    return had;
  }

  /** Every manifest of NAME. */
  public List<Digest> manifests(String name) {
    return digestsUnder(repo(name).resolve("_manifests/revisions"));
  }

  public List<Digest> blobs(String name) {
    return digestsUnder(repo(name).resolve("_layers"));
  }

  private static List<Digest> digestsUnder(Path dir) {
    var out = new ArrayList<Digest>();
    for (DigestAlgorithm alg : DigestAlgorithm.values()) {
      for (String hex : list(dir.resolve(alg.id()))) {
        if (Digest.isValidHex(alg, hex)) {
          out.add(new Digest(alg, hex));
        }
      }
    }
    return out;
  }

  // ---- tags

  public Optional<Digest> tag(String name, String tag) {
    String text = AtomicFiles.read(repo(name).resolve("_manifests/tags").resolve(tag));
    return text == null ? Optional.empty() : Optional.of(Digest.parse(text.strip()));
  }

  public void putTag(String name, String tag, Digest d) {
    AtomicFiles.write(repo(name).resolve("_manifests/tags").resolve(tag), d.toString());
  }

  public boolean deleteTag(String name, String tag) {
    return AtomicFiles.delete(repo(name).resolve("_manifests/tags").resolve(tag));
  }

  /** The tags of NAME, sorted lexically (the spec's order for pagination). */
  public List<String> tags(String name) {
    var sorted = new TreeSet<String>();
    for (String t : list(repo(name).resolve("_manifests/tags"))) {
      if (Names.isTag(t)) {
        sorted.add(t);
      }
    }
    return List.copyOf(sorted);
  }

  // ---- referrers

  private Path referrerFile(String name, Digest subject, Digest referrer) {
    return byDigest(repo(name).resolve("_referrers"), subject)
        .resolve(referrer.algorithm().id() + "-" + referrer.hex());
  }

  public void putReferrer(String name, Digest subject, Descriptor referrer) {
    AtomicFiles.write(referrerFile(name, subject, referrer.digest()), Json.write(referrer));
  }

  /** Descriptors of the manifests of NAME whose subject is {@code subject}, oldest digest first. */
  public List<JsonNode> referrers(String name, Digest subject) {
    var out = new ArrayList<JsonNode>();
    Path dir = byDigest(repo(name).resolve("_referrers"), subject);
    for (String f : new TreeSet<>(list(dir))) {
      if (f.startsWith(".")) {
        continue;
      }
      String text = AtomicFiles.read(dir.resolve(f));
      if (text != null) {
        out.add(Json.tree(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), "referrer " + f, Json.MAX_MANIFEST_BYTES));
      }
    }
    return out;
  }

  // ---- catalog

  /** All repository names, sorted. Tolerates files coming and going while it walks. */
  public List<String> names() {
    var out = new TreeSet<String>();
    collectNames(root, out);
    return List.copyOf(out);
  }

  private void collectNames(Path dir, TreeSet<String> out) {
    for (String f : list(dir)) {
      Path p = dir.resolve(f);
      if (f.equals("_manifests") || f.equals("_layers")) {
        String name = root.relativize(dir).toString();
        if (Names.isRepository(name)) {
          out.add(name);
        }
      } else if (!f.startsWith("_") && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        collectNames(p, out);
      }
    }
  }

  private static List<String> list(Path dir) {
    var out = new ArrayList<String>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String f = p.getFileName().toString();
        if (!f.startsWith(".")) {
          out.add(f);
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }
}

package dev.berth.distribution;

import dev.berth.content.ContentProvider;
import dev.berth.content.ContentStore;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.util.List;

/**
 * berth's registry client over the OCI distribution-spec: pull into a content store (and name the
 * image in an image store), push from one, check credentials. Usable on its own:
 *
 * <pre>{@code
 * var registry = RegistryClient.create(RegistryConfig.DEFAULT, DockerConfig.at(DockerConfig.defaultDir()));
 * Image busybox = registry.pull(Reference.parse("127.0.0.1:5000/busybox"), Platform.host(), images, ProgressListener.NONE);
 * registry.push(Reference.parse("127.0.0.1:5000/tools/busybox:1"), images, ProgressListener.NONE);
 * }</pre>
 *
 * <p>Thread-safe; one client keeps connections, the scheme found per host and tokens per scope.
 * Failures are berth's error kinds: unreachable registries {@code UnavailableException}, missing
 * manifests {@code NotFoundException}, refused credentials {@code FailedPreconditionException}
 * (naming the credential source and what the registry answered), bad content
 * {@code InvalidArgumentException}.
 */
public final class RegistryClient {
  private final Transport transport;
  private final Puller puller;
  private final Pusher pusher;
  private final CredentialStore credentials;
  private final long chunkSize;
  private final boolean verifyDiffIds;

  private RegistryClient(Transport.Hosts hosts, CredentialStore credentials, long chunkSize, boolean verifyDiffIds) {
    this.transport = new Transport(hosts, credentials);
    this.puller = new Puller(transport, verifyDiffIds);
    this.pusher = new Pusher(transport, chunkSize);
    this.credentials = credentials;
    this.chunkSize = chunkSize;
    this.verifyDiffIds = verifyDiffIds;
  }

  public static RegistryClient create(RegistryConfig config, CredentialStore credentials) {
    return new RegistryClient(new Transport.Hosts(config), credentials, Pusher.CHUNK, false);
  }

  /** A client that uploads blobs larger than {@code chunkSize} in PATCH chunks of that size. */
  public static RegistryClient withChunkSize(RegistryConfig config, CredentialStore credentials, long chunkSize) {
    if (chunkSize < 1) {
      throw new InvalidArgumentException("upload chunk size must be positive, not " + chunkSize);
    }
    return new RegistryClient(new Transport.Hosts(config), credentials, chunkSize, false);
  }

  /**
   * A client with other credentials that shares this one's connections and what it found out about
   * each host (its scheme), but none of its tokens: for a server acting for many users, one request
   * each, without a TLS probe and new connections every time.
   */
  public RegistryClient withCredentials(CredentialStore other) {
    return new RegistryClient(transport.hosts(), other, chunkSize, verifyDiffIds);
  }

  /**
   * A client that also checks each layer's diff_id while pulling, decompressing as it downloads.
   * Without it (the default) a pull checks every blob's digest and leaves the diff_id to whoever
   * unpacks the layer ({@code LayerUnpacker} does), as containerd does: for a client whose layers
   * leave the store compressed (a registry copy, {@code save}), or to fail a bad image at pull time.
   */
  public RegistryClient verifyingDiffIds() {
    return new RegistryClient(transport.hosts(), credentials, chunkSize, true);
  }

  /**
   * Downloads the image {@code ref} names for {@code platform} into {@code store}: blobs it holds
   * are not fetched again; nothing is committed unless every blob verified.
   */
  public PullResult pullContent(Reference ref, Platform platform, ContentStore store, ProgressListener progress) {
    return puller.pull(ref, platform, store, progress);
  }

  /**
   * Pulls and names the image: {@code ref} (when it has a tag) points at it, and its RepoDigests get
   * {@code repository@digest}.
   */
  public Image pull(Reference ref, Platform platform, ImageStore images, ProgressListener progress) {
    return images.withoutCollection(() -> {
      boolean had = ref.tag() != null && images.find(ref.toString())
          .map(i -> i.repoDigests().stream().anyMatch(r -> r.startsWith(ref.repository() + "@"))).orElse(false);
      PullResult r = pullContent(ref, platform, images.content(), progress);
      Image image = images.add(List.of(new ImageStore.Addition(r.manifest(), ref.tag() != null ? List.of(ref.withDigest(null)) : List.of())))
          .getFirst();
      image = images.addRepoDigest(image.id(), ref.withTag(null).withDigest(r.repoDigest()));
      progress.on(ProgressEvent.line("Status: " + (had && r.blobsFetched() == 0 ? "Image is up to date for " : "Downloaded newer image for ")
          + ref.familiar()));
      return image;
    });
  }

  /**
   * Uploads the image at {@code target} (a manifest in {@code content}) as {@code ref}: by tag, or by
   * digest when {@code ref} has none. Blobs are mounted from {@code mountFrom} (repositories of the
   * same registry) when the registry allows it.
   */
  public PushResult push(Reference ref, Descriptor target, ContentProvider content, List<String> mountFrom,
      ProgressListener progress) {
    return pusher.push(ref, target, content, mountFrom, progress);
  }

  /**
   * Pushes the image {@code ref} names in {@code images}, mounting blobs from the other repositories
   * of the same registry it came from or went to; records the repo digest.
   */
  public PushResult push(Reference ref, ImageStore images, ProgressListener progress) {
    Image image = images.resolve(ref.toString());
    List<String> mountFrom = image.repoDigests().stream().map(Reference::parseNormalized)
        .filter(r -> r.domain().equals(ref.domain()) && !r.path().equals(ref.path())).map(Reference::path).toList();
    PushResult r = push(ref, image.target(), images.content(), mountFrom, progress);
    images.addRepoDigest(image.id(), ref.withTag(null).withDigest(r.digest()));
    return r;
  }

  /**
   * Checks that the registry accepts the credentials this client's store has for it ({@code GET /v2/}
   * after its challenge); throws {@code FailedPreconditionException} when not.
   */
  public void checkLogin(String registry) {
    Transport.Endpoint ep = transport.registryEndpoint(RegistryConfig.canonicalRegistry(registry));
    String action = "logging in to " + registry;
    var res = transport.send(ep, null, action, () -> Http.Request.get(ep.resolve("/v2/")));
    if (res.statusCode() != 200) {
      throw Transport.failure(action, ep, res);
    }
    Transport.readError(res);
    if (transport.auth().credentialFor(registry).anonymous()) {
      throw new InvalidArgumentException(action + ": no credentials given");
    }
  }
}

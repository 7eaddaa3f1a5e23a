package dev.berth.distribution;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Json;
import dev.berth.oci.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Fetches manifests and indexes by tag or digest, keeping their exact bytes and checking their digest. */
final class Resolver {
  static final String ACCEPT = String.join(", ", MediaType.OCI_INDEX, MediaType.OCI_MANIFEST,
      MediaType.DOCKER_MANIFEST_LIST, MediaType.DOCKER_MANIFEST);

  /** A manifest or index as the registry sent it. */
  record Fetched(Descriptor descriptor, byte[] bytes) {}

  private final Transport transport;

  Resolver(Transport transport) {
    this.transport = transport;
  }

  /**
   * @param reference a tag or a digest
   * @param expected the digest the bytes must have, or null (a tag: then the registry's
   *     Docker-Content-Digest, when sent, must match)
   */
  Fetched fetch(Transport.Endpoint ep, String repository, String reference, Digest expected, String action) {
    String scope = "repository:" + repository + ":pull";
    Http.Response res = transport.send(ep, scope, action, () ->
        Http.Request.get(ep.resolve("/v2/" + repository + "/manifests/" + reference)).header("Accept", ACCEPT));
    if (res.statusCode() != 200) {
      throw Transport.failure(action + ": reading manifest " + ep.host() + "/" + repository + ":" + reference, ep, res);
    }
    byte[] bytes;
    try (InputStream in = res.body()) {
      bytes = in.readNBytes(Json.MAX_MANIFEST_BYTES + 1);
    } catch (IOException e) {
      throw new UncheckedIOException(action + ": reading manifest: " + e.getMessage(), e);
    }
    if (bytes.length > Json.MAX_MANIFEST_BYTES) {
      throw new InvalidArgumentException(action + ": manifest is larger than " + Json.MAX_MANIFEST_BYTES + " bytes");
    }
    String type = res.header("Content-Type").orElse("").split(";")[0].strip();
    var node = Json.tree(bytes, "manifest " + repository + ":" + reference, Json.MAX_MANIFEST_BYTES);
    if (MediaType.isSchema1(type) || node.path("schemaVersion").asInt() == 1) {
      throw new InvalidArgumentException(action + ": " + ep.host() + "/" + repository + ":" + reference
          + " is a Docker schema1 manifest, which is not supported (push it again with a current client)");
    }
    String bodyType = node.path("mediaType").asText("");
    if (!bodyType.isEmpty()) {
      type = bodyType;
    } else if (!MediaType.isManifest(type) && !MediaType.isIndex(type)) {
      type = node.has("manifests") ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST;
    }
    Digest algorithmOf = expected;
    if (algorithmOf == null) {
      algorithmOf = res.header("Docker-Content-Digest").filter(Digest::isDigest).map(Digest::parse).orElse(null);
    }
    Digest actual = algorithmOf == null ? Digest.sha256(bytes) : Digest.of(algorithmOf.algorithm(), bytes);
    if (algorithmOf != null && !actual.equals(algorithmOf)) {
      throw new InvalidArgumentException(action + ": manifest " + repository + ":" + reference + " hashes to " + actual
          + ", want " + algorithmOf);
    }
    return new Fetched(Descriptor.of(type, actual, bytes.length), bytes);
  }
}

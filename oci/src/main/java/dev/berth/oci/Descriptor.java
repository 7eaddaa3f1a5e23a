package dev.berth.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.berth.errors.InvalidArgumentException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A content descriptor: what a blob is, its digest and its size, as the image-spec defines it. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"mediaType", "digest", "size", "urls", "annotations", "platform", "artifactType"})
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    Platform platform,
    String artifactType) {

  public Descriptor {
    if (mediaType == null || mediaType.isEmpty()) {
      throw new InvalidArgumentException("descriptor of " + digest + " has no mediaType");
    }
    if (digest == null) {
      throw new InvalidArgumentException("descriptor of type " + mediaType + " has no digest");
    }
    if (size < 0) {
      throw new InvalidArgumentException("descriptor " + digest + " has a negative size " + size);
    }
    urls = urls == null ? List.of() : List.copyOf(urls);
    // Sorted, so that what we generate is stable.
    annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(annotations));
  }

  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, null, null, null, null);
  }

  public Descriptor withAnnotations(Map<String, String> more) {
    TreeMap<String, String> merged = new TreeMap<>(annotations);
    merged.putAll(more);
    return new Descriptor(mediaType, digest, size, urls, merged, platform, artifactType);
  }

  public Descriptor withoutAnnotations() {
    return new Descriptor(mediaType, digest, size, urls, null, platform, artifactType);
  }

  public Descriptor withPlatform(Platform p) {
    return new Descriptor(mediaType, digest, size, urls, annotations, p, artifactType);
  }

  public Descriptor withMediaType(String type) {
    return new Descriptor(type, digest, size, urls, annotations, platform, artifactType);
  }

  public String annotation(String key) {
    return annotations.get(key);
  }
}

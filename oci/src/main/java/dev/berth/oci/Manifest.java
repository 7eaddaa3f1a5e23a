package dev.berth.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.berth.errors.InvalidArgumentException;
import java.util.List;
import java.util.Map;

/**
 * An image manifest (OCI or Docker schema2). A manifest's digest is over the bytes it came in:
 * keep those bytes beside this view, never re-serialise to compute a digest.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "config", "layers", "subject", "annotations"})
public record Manifest(
    int schemaVersion,
    String mediaType,
    String artifactType,
    Descriptor config,
    List<Descriptor> layers,
    Descriptor subject,
    Map<String, String> annotations) {

  public Manifest {
    if (schemaVersion != 2) {
      throw new InvalidArgumentException(schemaVersion == 1
          ? "Docker schema1 manifests are not supported"
          : "manifest schemaVersion is " + schemaVersion + ", want 2");
    }
    if (config == null) {
      throw new InvalidArgumentException("manifest has no config descriptor");
    }
    layers = layers == null ? List.of() : List.copyOf(layers);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    // An image's layers must be of a known layer type; artifacts (other config types) may carry anything.
    if (MediaType.isConfig(config.mediaType())) {
      for (Descriptor layer : layers) {
        if (!MediaType.isLayer(layer.mediaType())) {
          throw new InvalidArgumentException("unknown layer media type \"" + layer.mediaType() + "\" for layer " + layer.digest());
        }
      }
    }
  }

  /** An image manifest of the given kind (OCI or Docker) for a config and its layers. */
  public static Manifest of(String mediaType, Descriptor config, List<Descriptor> layers) {
    return new Manifest(2, mediaType, null, config, layers, null, null);
  }

  public static Manifest parse(byte[] bytes, String what) {
    return Json.read(bytes, Manifest.class, what, Json.MAX_MANIFEST_BYTES);
  }

  public byte[] toJson() {
    return Json.write(this);
  }

  /** The media type of this manifest, inferring OCI when the optional field is absent. */
  public String effectiveMediaType() {
    return mediaType == null ? MediaType.OCI_MANIFEST : mediaType;
  }
}

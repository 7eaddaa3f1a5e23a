package dev.berth.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An image index (OCI) or manifest list (Docker): manifests per platform. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations"})
public record Index(
    int schemaVersion,
    String mediaType,
    String artifactType,
    List<Descriptor> manifests,
    Descriptor subject,
    Map<String, String> annotations) {

  public Index {
    if (schemaVersion != 2) {
      throw new InvalidArgumentException("index schemaVersion is " + schemaVersion + ", want 2");
    }
    manifests = manifests == null ? List.of() : List.copyOf(manifests);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public static Index of(List<Descriptor> manifests) {
    return new Index(2, MediaType.OCI_INDEX, null, manifests, null, null);
  }

  public static Index parse(byte[] bytes, String what) {
    return Json.read(bytes, Index.class, what, Json.MAX_MANIFEST_BYTES);
  }

  public byte[] toJson() {
    return Json.write(this);
  }

  public Index withManifests(List<Descriptor> list) {
    return new Index(schemaVersion, mediaType, artifactType, list, subject, annotations);
  }

  public Index plus(Descriptor d) {
    List<Descriptor> list = new ArrayList<>(manifests);
    list.add(d);
    return withManifests(list);
  }

  /**
   * The manifest for {@code platform}: an exact variant match first, then one that matches os and
   * architecture. Attestation manifests (platform unknown/unknown) are never chosen.
   */
  public Descriptor select(Platform platform, String what) {
    Descriptor loose = null;
    for (Descriptor d : manifests) {
      if (d.platform() == null || !platform.matches(d.platform())) {
        continue;
      }
      Platform p = d.platform().normalised();
      if (java.util.Objects.equals(p.variant(), platform.normalised().variant())) {
        return d;
      }
      if (loose == null) {
        loose = d;
      }
    }
    if (loose != null) {
      return loose;
    }
    List<String> offered = manifests.stream().filter(d -> d.platform() != null).map(d -> d.platform().toString()).toList();
    throw new NotFoundException(what + " has no manifest for platform " + platform + " (it has " + offered + ")");
  }
}

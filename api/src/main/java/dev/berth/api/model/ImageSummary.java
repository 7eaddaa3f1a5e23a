package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Descriptor;
import java.util.List;
import java.util.Map;

/**
 * One image of {@code GET /images/json}, Docker's {@code image.Summary}. The null-or-empty of
 * {@code RepoTags}/{@code RepoDigests} and the optional fields depend on the API version; see
 * {@link ImageViews#summary(dev.berth.image.Image, ApiVersion)}.
 *
 * @param containers how many containers use the image; -1 when not counted (always, before API 1.51)
 * @param created unix seconds
 * @param sharedSize bytes shared with other images; -1 when not computed
 * @param descriptor the manifest (or index) descriptor; API 1.48 and later
 * @param manifests per-platform details when {@code manifests=1}; API 1.47 and later
 * @param virtualSize equal to {@code Size}; API before 1.44
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ImageSummary(
    @JsonProperty("Containers") long containers,
    @JsonProperty("Created") long created,
    @JsonProperty("Id") String id,
    @JsonProperty("Labels") Map<String, String> labels,
    @JsonProperty("ParentId") String parentId,
    @JsonProperty("Descriptor") @JsonInclude(JsonInclude.Include.NON_NULL) Descriptor descriptor,
    @JsonProperty("Manifests") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> manifests,
    @JsonProperty("RepoDigests") List<String> repoDigests,
    @JsonProperty("RepoTags") List<String> repoTags,
    @JsonProperty("SharedSize") long sharedSize,
    @JsonProperty("Size") long size,
    @JsonProperty("VirtualSize") @JsonInclude(JsonInclude.Include.NON_NULL) Long virtualSize) {

  public ImageSummary {
    repoDigests = repoDigests == null ? null : List.copyOf(repoDigests);
    repoTags = repoTags == null ? null : List.copyOf(repoTags);
    manifests = manifests == null ? null : List.copyOf(manifests);
  }
}

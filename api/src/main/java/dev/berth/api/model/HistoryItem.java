package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One entry of {@code GET /images/{name}/history}, newest first. Only the entry of the image
 * itself has an ID and tags; the steps below it are {@code "<missing>"} with {@code Tags: null},
 * because their intermediate images exist only on the machine that built them.
 *
 * @param created unix seconds
 * @param size bytes of the layer the step made; 0 for steps that made none
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record HistoryItem(
    @JsonProperty("Comment") String comment,
    @JsonProperty("Created") long created,
    @JsonProperty("CreatedBy") String createdBy,
    @JsonProperty("Id") String id,
    @JsonProperty("Size") long size,
    @JsonProperty("Tags") List<String> tags) {

  /** What Docker shows for the ID of a step that has no image of its own here. */
  public static final String MISSING = "<missing>";

  public HistoryItem {
    tags = tags == null ? null : List.copyOf(tags);
  }
}

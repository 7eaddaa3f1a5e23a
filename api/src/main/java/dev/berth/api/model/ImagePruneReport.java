package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The answer of {@code POST /images/prune}; Docker sends {@code "ImagesDeleted":null} when nothing went. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ImagePruneReport(
    @JsonProperty("ImagesDeleted") List<ImageDeleteItem> imagesDeleted,
    @JsonProperty("SpaceReclaimed") long spaceReclaimed) {

  public ImagePruneReport {
    imagesDeleted = imagesDeleted == null || imagesDeleted.isEmpty() ? null : List.copyOf(imagesDeleted);
  }
}

package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.oci.Digest;

/**
 * One line of {@code DELETE /images/{name}}: each entry says either which name was removed
 * ({@code Untagged}, familiar form) or which image or layer ID was deleted, never both.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageDeleteItem(@JsonProperty("Untagged") String untagged, @JsonProperty("Deleted") String deleted) {

  public ImageDeleteItem {
    if ((untagged == null) == (deleted == null)) {
      throw new IllegalArgumentException("an image delete item is either Untagged or Deleted");
    }
  }

  public static ImageDeleteItem untagged(String familiarName) {
    return new ImageDeleteItem(familiarName, null);
  }

  public static ImageDeleteItem deleted(Digest id) {
    return new ImageDeleteItem(null, id.toString());
  }
}

package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Docker's {@code volume.Volume}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Volume(
    @JsonProperty("CreatedAt") @JsonInclude(JsonInclude.Include.NON_EMPTY) String createdAt,
    @JsonProperty("Driver") String driver,
    @JsonProperty("Labels") Map<String, String> labels,
    @JsonProperty("Mountpoint") String mountpoint,
    @JsonProperty("Name") String name,
    @JsonProperty("Options") Map<String, String> options,
    @JsonProperty("Scope") String scope) {

  /** {@code GET /volumes}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record ListResponse(@JsonProperty("Volumes") List<Volume> volumes, @JsonProperty("Warnings") List<String> warnings) {}

  /** {@code POST /volumes/create}. */
  public record CreateRequest(@JsonProperty("Name") String name, @JsonProperty("Driver") String driver,
      @JsonProperty("DriverOpts") Map<String, String> driverOpts, @JsonProperty("Labels") Map<String, String> labels) {}

  /** {@code POST /volumes/prune}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record PruneReport(@JsonProperty("VolumesDeleted") List<String> volumesDeleted,
      @JsonProperty("SpaceReclaimed") long spaceReclaimed) {}
}

package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** An entry of inspect's and the list's {@code Mounts}: Docker's {@code container.MountPoint}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MountPoint(
    @JsonProperty("Type") String type,
    @JsonProperty("Name") @JsonInclude(JsonInclude.Include.NON_EMPTY) String name,
    @JsonProperty("Source") String source,
    @JsonProperty("Destination") String destination,
    @JsonProperty("Driver") @JsonInclude(JsonInclude.Include.NON_EMPTY) String driver,
    @JsonProperty("Mode") String mode,
    @JsonProperty("RW") boolean rw,
    @JsonProperty("Propagation") String propagation) {}

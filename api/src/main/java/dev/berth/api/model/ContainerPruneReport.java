package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The answer of {@code POST /containers/prune}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ContainerPruneReport(@JsonProperty("ContainersDeleted") List<String> containersDeleted,
    @JsonProperty("SpaceReclaimed") long spaceReclaimed) {}

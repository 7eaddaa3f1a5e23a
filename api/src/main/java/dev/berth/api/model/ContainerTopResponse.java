package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The answer of {@code GET /containers/{id}/top}: {@code ps} columns and rows. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ContainerTopResponse(@JsonProperty("Titles") List<String> titles, @JsonProperty("Processes") List<List<String>> processes) {}

package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of every Docker API error: {@code {"message":"No such image: nope:latest"}}. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ErrorResponse(@JsonProperty("message") String message) {}

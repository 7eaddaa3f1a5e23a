package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One message of {@code GET /events}: Docker's {@code events.Message}, with the legacy {@code
 * status}, {@code id} and {@code from} fields it still sends for containers.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Event(
    @JsonProperty("status") String status,
    @JsonProperty("id") String id,
    @JsonProperty("from") String from,
    @JsonProperty("Type") String type,
    @JsonProperty("Action") String action,
    @JsonProperty("Actor") Actor actor,
    @JsonProperty("scope") String scope,
    @JsonProperty("time") long time,
    @JsonProperty("timeNano") long timeNano) {

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Actor(@JsonProperty("ID") String id, @JsonProperty("Attributes") Map<String, String> attributes) {}
}

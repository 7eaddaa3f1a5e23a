package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One line of the JSON stream of {@code /images/load}, {@code /images/create} (pull), push and
 * build: Docker's {@code jsonmessage.JSONMessage}, fields in its order, each left out when empty.
 * A failure is reported in-band: {@code errorDetail} for current clients and {@code error} for old ones.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ProgressMessage(
    @JsonProperty("stream") String stream,
    @JsonProperty("status") String status,
    @JsonProperty("progressDetail") @JsonInclude(JsonInclude.Include.NON_NULL) Progress progressDetail,
    @JsonProperty("progress") String progress,
    @JsonProperty("id") String id,
    @JsonProperty("from") String from,
    @JsonProperty("time") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long time,
    @JsonProperty("timeNano") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long timeNano,
    @JsonProperty("errorDetail") @JsonInclude(JsonInclude.Include.NON_NULL) ErrorDetail errorDetail,
    @JsonProperty("error") String error,
    @JsonProperty("aux") @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode aux) {

  /** Text for the client to print as is, e.g. {@code "Loaded image: busybox:latest\n"}. */
  public static ProgressMessage stream(String text) {
    return new ProgressMessage(text, null, null, null, null, null, 0, 0, null, null, null);
  }

  /**
   * A status line about one item, e.g. {@code ("a1b2c3d4e5f6", "Pull complete")}. Docker sends an
   * empty {@code progressDetail} with per-layer statuses; the CLI uses it to redraw that layer's line.
   */
  public static ProgressMessage status(String id, String status) {
    return new ProgressMessage(null, status, id == null ? null : Progress.NONE, null, id, null, 0, 0, null, null, null);
  }

  /** A progress update: {@code bar} is the pre-rendered text old clients print. */
  public static ProgressMessage progress(String id, String status, long current, long total, String bar) {
    return new ProgressMessage(null, status, new Progress(current, total, 0, false, null), bar, id, null, 0, 0, null,
        null, null);
  }

  public static ProgressMessage error(String message) {
    return new ProgressMessage(null, null, null, null, null, null, 0, 0, new ErrorDetail(0, message), message, null);
  }

  /** Structured data for the client, e.g. {@code {"ID":"sha256:…"}} after a build or {@code {"Tag":…}} after a push. */
  public static ProgressMessage aux(JsonNode data) {
    return new ProgressMessage(null, null, null, null, null, null, 0, 0, null, null, data);
  }

  /** {@code progressDetail}: zero fields are left out, so a status-only detail is {@code {}}. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record Progress(
      @JsonProperty("current") long current,
      @JsonProperty("total") long total,
      @JsonProperty("start") long start,
      @JsonProperty("hidecounts") boolean hideCounts,
      @JsonProperty("units") String units) {
    public static final Progress NONE = new Progress(0, 0, 0, false, null);
  }

  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record ErrorDetail(@JsonProperty("code") int code, @JsonProperty("message") String message) {}
}

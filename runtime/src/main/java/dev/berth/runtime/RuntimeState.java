package dev.berth.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.berth.oci.Json;

/** The output of {@code runtime state ID} (runtime-spec "state"): status created|running|paused|stopped. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RuntimeState(String ociVersion, String id, String status, long pid, String bundle) {
  static RuntimeState parse(String json, String what) {
    return Json.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), RuntimeState.class, what,
        Json.MAX_METADATA_BYTES);
  }
}

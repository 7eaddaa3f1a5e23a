package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer of {@code GET /version}, Docker's {@code types.Version}. The flat fields repeat the
 * Engine component for old clients; {@code docker version} prints the components.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record VersionInfo(
    @JsonProperty("Platform") Platform platform,
    @JsonProperty("Components") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Component> components,
    @JsonProperty("Version") String version,
    @JsonProperty("ApiVersion") String apiVersion,
    @JsonProperty("MinAPIVersion") @JsonInclude(JsonInclude.Include.NON_EMPTY) String minApiVersion,
    @JsonProperty("GitCommit") String gitCommit,
    @JsonProperty("GoVersion") String goVersion,
    @JsonProperty("Os") String os,
    @JsonProperty("Arch") String arch,
    @JsonProperty("KernelVersion") @JsonInclude(JsonInclude.Include.NON_EMPTY) String kernelVersion,
    @JsonProperty("Experimental") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean experimental,
    @JsonProperty("BuildTime") @JsonInclude(JsonInclude.Include.NON_EMPTY) String buildTime) {

  public VersionInfo {
    components = components == null ? null : List.copyOf(components);
  }

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Platform(@JsonProperty("Name") String name) {}

  /** One component, e.g. Engine with {@code Details} ApiVersion, Arch, BuildTime…; details sorted by key as Go writes maps. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Component(
      @JsonProperty("Name") String name,
      @JsonProperty("Version") String version,
      @JsonProperty("Details") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> details) {
    public Component {
      details = details == null ? null : Collections.unmodifiableMap(new TreeMap<>(details));
    }
  }
}

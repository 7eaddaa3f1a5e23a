package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Descriptor;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /images/{name}/json}, Docker's {@code image.InspectResponse} in its
 * field order. Fields that exist only in some API versions are null here and then left out; see
 * {@link ImageViews#inspect(dev.berth.image.Image, ApiVersion)} for which.
 *
 * @param created the config's {@code created} as RFC 3339 with nanoseconds
 * @param container before API 1.45 only
 * @param containerConfig before API 1.45 only
 * @param config {@link LegacyConfig} before API 1.50, {@link OciConfig} from 1.50; null when the
 *     image has none and the client asked for API 1.41 or older, as Docker 20.10 answers
 * @param virtualSize before API 1.44 only
 * @param descriptor API 1.48 and later
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ImageInspect(
    @JsonProperty("Id") String id,
    @JsonProperty("RepoTags") List<String> repoTags,
    @JsonProperty("RepoDigests") List<String> repoDigests,
    @JsonProperty("Parent") @JsonInclude(JsonInclude.Include.NON_NULL) String parent,
    @JsonProperty("Comment") @JsonInclude(JsonInclude.Include.NON_NULL) String comment,
    @JsonProperty("Created") @JsonInclude(JsonInclude.Include.NON_NULL) String created,
    @JsonProperty("Container") @JsonInclude(JsonInclude.Include.NON_NULL) String container,
    @JsonProperty("ContainerConfig") @JsonInclude(JsonInclude.Include.NON_NULL) LegacyConfig containerConfig,
    @JsonProperty("DockerVersion") @JsonInclude(JsonInclude.Include.NON_NULL) String dockerVersion,
    @JsonProperty("Author") @JsonInclude(JsonInclude.Include.NON_NULL) String author,
    @JsonProperty("Config") Config config,
    @JsonProperty("Architecture") String architecture,
    @JsonProperty("Variant") @JsonInclude(JsonInclude.Include.NON_EMPTY) String variant,
    @JsonProperty("Os") String os,
    @JsonProperty("OsVersion") @JsonInclude(JsonInclude.Include.NON_EMPTY) String osVersion,
    @JsonProperty("Size") long size,
    @JsonProperty("VirtualSize") @JsonInclude(JsonInclude.Include.NON_NULL) Long virtualSize,
    @JsonProperty("GraphDriver") GraphDriver graphDriver,
    @JsonProperty("RootFS") RootFs rootFs,
    @JsonProperty("Metadata") Metadata metadata,
    @JsonProperty("Descriptor") @JsonInclude(JsonInclude.Include.NON_NULL) Descriptor descriptor,
    @JsonProperty("Manifests") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> manifests) {

  public ImageInspect {
    repoTags = List.copyOf(repoTags);
    repoDigests = List.copyOf(repoDigests);
    manifests = manifests == null ? null : List.copyOf(manifests);
  }

  /** The image's run configuration, in the shape of the API version asked for. */
  public sealed interface Config permits LegacyConfig, OciConfig {}

  /**
   * Docker's {@code container.Config}: the shape of {@code Config} before API 1.50 and of
   * {@code ContainerConfig}. Go writes every field without {@code omitempty}, so absent ones show
   * as {@code ""}, {@code false} or {@code null}; the rest are left out when empty.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record LegacyConfig(
      @JsonProperty("Hostname") String hostname,
      @JsonProperty("Domainname") String domainname,
      @JsonProperty("User") String user,
      @JsonProperty("AttachStdin") boolean attachStdin,
      @JsonProperty("AttachStdout") boolean attachStdout,
      @JsonProperty("AttachStderr") boolean attachStderr,
      @JsonProperty("ExposedPorts") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> exposedPorts,
      @JsonProperty("Tty") boolean tty,
      @JsonProperty("OpenStdin") boolean openStdin,
      @JsonProperty("StdinOnce") boolean stdinOnce,
      @JsonProperty("Env") List<String> env,
      @JsonProperty("Cmd") List<String> cmd,
      @JsonProperty("Healthcheck") @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode healthcheck,
      @JsonProperty("ArgsEscaped") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean argsEscaped,
      @JsonProperty("Image") String image,
      @JsonProperty("Volumes") Map<String, Object> volumes,
      @JsonProperty("WorkingDir") String workingDir,
      @JsonProperty("Entrypoint") List<String> entrypoint,
      @JsonProperty("NetworkDisabled") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean networkDisabled,
      @JsonProperty("MacAddress") @JsonInclude(JsonInclude.Include.NON_EMPTY) String macAddress,
      @JsonProperty("OnBuild") List<String> onBuild,
      @JsonProperty("Labels") Map<String, String> labels,
      @JsonProperty("StopSignal") @JsonInclude(JsonInclude.Include.NON_EMPTY) String stopSignal,
      @JsonProperty("StopTimeout") @JsonInclude(JsonInclude.Include.NON_NULL) Integer stopTimeout,
      @JsonProperty("Shell") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> shell)
      implements Config {}

  /**
   * The OCI image config (Docker's {@code DockerOCIImageConfig}), the shape of {@code Config} from
   * API 1.50. Docker 28.3 and later keep the eight fields that never had {@code omitempty} (moby
   * issue 50134), so {@code User}, {@code Env}, {@code Cmd} and the like show as "" or null.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record OciConfig(
      @JsonProperty("User") String user,
      @JsonProperty("ExposedPorts") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> exposedPorts,
      @JsonProperty("Env") List<String> env,
      @JsonProperty("Entrypoint") List<String> entrypoint,
      @JsonProperty("Cmd") List<String> cmd,
      @JsonProperty("Volumes") Map<String, Object> volumes,
      @JsonProperty("WorkingDir") String workingDir,
      @JsonProperty("Labels") Map<String, String> labels,
      @JsonProperty("StopSignal") @JsonInclude(JsonInclude.Include.NON_EMPTY) String stopSignal,
      @JsonProperty("ArgsEscaped") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean argsEscaped,
      @JsonProperty("Healthcheck") @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode healthcheck,
      @JsonProperty("OnBuild") List<String> onBuild,
      @JsonProperty("Shell") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> shell)
      implements Config {}

  /** Where the image's layers live; Docker 28 with the containerd store says {@code {"Data":null,"Name":"overlayfs"}}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record GraphDriver(@JsonProperty("Data") Map<String, String> data, @JsonProperty("Name") String name) {
    public static final GraphDriver OVERLAYFS = new GraphDriver(null, "overlayfs");
  }

  /** The layer diff IDs, bottom first. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record RootFs(@JsonProperty("Type") String type, @JsonProperty("Layers") List<String> layers) {
    public RootFs {
      layers = layers == null ? null : List.copyOf(layers);
    }
  }

  /** {@code LastTagTime} is Go's zero time, {@code 0001-01-01T00:00:00Z}, when never tagged here. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Metadata(@JsonProperty("LastTagTime") String lastTagTime) {}
}

package dev.berth.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The execution parameters in an image config ({@code config}): Docker's capitalised field names,
 * which the OCI image-spec adopted. Fields Docker writes that the spec does not define are kept too,
 * so that an inspect shows what the image says.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "ExposedPorts",
    "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Healthcheck", "ArgsEscaped", "Image", "Volumes", "WorkingDir",
    "Entrypoint", "OnBuild", "Labels", "StopSignal", "Shell"})
public record ContainerConfig(
    @JsonProperty("Hostname") String hostname,
    @JsonProperty("Domainname") String domainname,
    @JsonProperty("User") String user,
    @JsonProperty("AttachStdin") Boolean attachStdin,
    @JsonProperty("AttachStdout") Boolean attachStdout,
    @JsonProperty("AttachStderr") Boolean attachStderr,
    @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
    @JsonProperty("Tty") Boolean tty,
    @JsonProperty("OpenStdin") Boolean openStdin,
    @JsonProperty("StdinOnce") Boolean stdinOnce,
    @JsonProperty("Env") List<String> env,
    @JsonProperty("Cmd") List<String> cmd,
    @JsonProperty("Healthcheck") JsonNode healthcheck,
    @JsonProperty("ArgsEscaped") Boolean argsEscaped,
    @JsonProperty("Image") String image,
    @JsonProperty("Volumes") Map<String, Object> volumes,
    @JsonProperty("WorkingDir") String workingDir,
    @JsonProperty("Entrypoint") List<String> entrypoint,
    @JsonProperty("OnBuild") List<String> onBuild,
    @JsonProperty("Labels") Map<String, String> labels,
    @JsonProperty("StopSignal") String stopSignal,
    @JsonProperty("Shell") List<String> shell) {

  public static final ContainerConfig EMPTY = new ContainerConfig(null, null, null, null, null, null, null, null,
      null, null, null, null, null, null, null, null, null, null, null, null, null, null);

  public static ContainerConfig of(List<String> env, List<String> cmd) {
    return new ContainerConfig(null, null, null, null, null, null, null, null, null, null, env, cmd, null, null,
        null, null, null, null, null, null, null, null);
  }
}

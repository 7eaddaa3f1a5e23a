package dev.berth.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.berth.errors.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;

/**
 * An image configuration (OCI image-spec config, a superset of Docker's image JSON). The image ID
 * is the digest of the bytes this came in, not of a re-serialisation.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"architecture", "author", "comment", "config", "container", "container_config", "created",
    "docker_version", "history", "os", "os.version", "rootfs", "variant"})
public record ImageConfig(
    @JsonProperty("architecture") String architecture,
    @JsonProperty("author") String author,
    @JsonProperty("comment") String comment,
    @JsonProperty("config") ContainerConfig config,
    @JsonProperty("container") String container,
    @JsonProperty("container_config") ContainerConfig containerConfig,
    @JsonProperty("created") String created,
    @JsonProperty("docker_version") String dockerVersion,
    @JsonProperty("history") List<History> history,
    @JsonProperty("os") String os,
    @JsonProperty("os.version") String osVersion,
    @JsonProperty("rootfs") RootFs rootfs,
    @JsonProperty("variant") String variant) {

  public ImageConfig {
    if (rootfs == null) {
      throw new InvalidArgumentException("image config has no rootfs");
    }
    history = history == null ? null : List.copyOf(history);
  }

  public static ImageConfig parse(byte[] bytes, String what) {
    ImageConfig c = Json.read(bytes, ImageConfig.class, what, Json.MAX_METADATA_BYTES);
    if (c.architecture == null || c.os == null) {
      throw new InvalidArgumentException(what + " lacks architecture or os");
    }
    return c;
  }

  public byte[] toJson() {
    return Json.write(this);
  }

  public Platform platform() {
    return new Platform(architecture, os, osVersion, null, variant);
  }

  public ContainerConfig configOrEmpty() {
    return config == null ? ContainerConfig.EMPTY : config;
  }

  /** A new config with one more layer and its history entry (habit: never mutate, return a new value). */
  public ImageConfig withLayer(Digest diffId, History entry) {
    List<Digest> ids = new ArrayList<>(rootfs.diffIds());
    ids.add(diffId);
    List<History> h = new ArrayList<>(history == null ? List.of() : history);
    h.add(entry);
    return new ImageConfig(architecture, author, comment, config, container, containerConfig, created,
        dockerVersion, h, os, osVersion, new RootFs("layers", ids), variant);
  }

  public ImageConfig withConfig(ContainerConfig c) {
    return new ImageConfig(architecture, author, comment, c, container, containerConfig, created, dockerVersion,
        history, os, osVersion, rootfs, variant);
  }

  /** rootfs: the layer diff IDs (digests of the uncompressed layer tars), bottom first. */
  @JsonPropertyOrder({"type", "diff_ids"})
  public record RootFs(@JsonProperty("type") String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
    public RootFs {
      if (!"layers".equals(type)) {
        throw new InvalidArgumentException("image config rootfs.type is \"" + type + "\", want \"layers\"");
      }
      diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    }
  }

  /** One history entry; {@code empty_layer} marks steps that made no layer. */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  @JsonPropertyOrder({"created", "created_by", "author", "comment", "empty_layer"})
  public record History(
      @JsonProperty("created") String created,
      @JsonProperty("created_by") String createdBy,
      @JsonProperty("author") String author,
      @JsonProperty("comment") String comment,
      @JsonProperty("empty_layer") boolean emptyLayer) {}
}

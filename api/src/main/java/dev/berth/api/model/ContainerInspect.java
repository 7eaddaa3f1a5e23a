package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The answer of {@code GET /containers/{id}/json}, Docker's {@code container.InspectResponse} in its field order. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ContainerInspect(
    @JsonProperty("Id") String id,
    @JsonProperty("Created") String created,
    @JsonProperty("Path") String path,
    @JsonProperty("Args") List<String> args,
    @JsonProperty("State") ContainerState state,
    @JsonProperty("Image") String image,
    @JsonProperty("ResolvConfPath") String resolvConfPath,
    @JsonProperty("HostnamePath") String hostnamePath,
    @JsonProperty("HostsPath") String hostsPath,
    @JsonProperty("LogPath") String logPath,
    @JsonProperty("Name") String name,
    @JsonProperty("RestartCount") int restartCount,
    @JsonProperty("Driver") String driver,
    @JsonProperty("Platform") String platform,
    @JsonProperty("MountLabel") String mountLabel,
    @JsonProperty("ProcessLabel") String processLabel,
    @JsonProperty("AppArmorProfile") String appArmorProfile,
    @JsonProperty("ExecIDs") List<String> execIds,
    @JsonProperty("HostConfig") HostConfig hostConfig,
    @JsonProperty("GraphDriver") ImageInspect.GraphDriver graphDriver,
    @JsonProperty("SizeRw") @JsonInclude(JsonInclude.Include.NON_NULL) Long sizeRw,
    @JsonProperty("SizeRootFs") @JsonInclude(JsonInclude.Include.NON_NULL) Long sizeRootFs,
    @JsonProperty("Mounts") List<MountPoint> mounts,
    @JsonProperty("Config") ImageInspect.LegacyConfig config,
    @JsonProperty("NetworkSettings") NetworkSettings networkSettings) {

  /**
   * Docker's {@code NetworkSettings}; berth has no bridge networks yet, so {@code Networks} holds
   * the {@code none} or {@code host} network with empty addresses.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record NetworkSettings(
      @JsonProperty("Bridge") String bridge,
      @JsonProperty("SandboxID") String sandboxId,
      @JsonProperty("SandboxKey") String sandboxKey,
      @JsonProperty("Ports") Map<String, Object> ports,
      @JsonProperty("HairpinMode") boolean hairpinMode,
      @JsonProperty("LinkLocalIPv6Address") String linkLocalIpv6Address,
      @JsonProperty("LinkLocalIPv6PrefixLen") int linkLocalIpv6PrefixLen,
      @JsonProperty("SecondaryIPAddresses") Object secondaryIpAddresses,
      @JsonProperty("SecondaryIPv6Addresses") Object secondaryIpv6Addresses,
      @JsonProperty("EndpointID") String endpointId,
      @JsonProperty("Gateway") String gateway,
      @JsonProperty("GlobalIPv6Address") String globalIpv6Address,
      @JsonProperty("GlobalIPv6PrefixLen") int globalIpv6PrefixLen,
      @JsonProperty("IPAddress") String ipAddress,
      @JsonProperty("IPPrefixLen") int ipPrefixLen,
      @JsonProperty("IPv6Gateway") String ipv6Gateway,
      @JsonProperty("MacAddress") String macAddress,
      @JsonProperty("Networks") Map<String, EndpointSettings> networks) {}

  /** One network's endpoint; all empty for {@code none} and {@code host}. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record EndpointSettings(
      @JsonProperty("IPAMConfig") Object ipamConfig,
      @JsonProperty("Links") List<String> links,
      @JsonProperty("Aliases") List<String> aliases,
      @JsonProperty("NetworkID") String networkId,
      @JsonProperty("EndpointID") String endpointId,
      @JsonProperty("Gateway") String gateway,
      @JsonProperty("IPAddress") String ipAddress,
      @JsonProperty("IPPrefixLen") int ipPrefixLen,
      @JsonProperty("IPv6Gateway") String ipv6Gateway,
      @JsonProperty("GlobalIPv6Address") String globalIpv6Address,
      @JsonProperty("GlobalIPv6PrefixLen") int globalIpv6PrefixLen,
      @JsonProperty("MacAddress") String macAddress,
      @JsonProperty("DriverOpts") Map<String, String> driverOpts) {}
}

package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer of {@code GET /info}, Docker's {@code system.Info} in its field order: the union of
 * Docker 20.10 (API 1.41) and 28 (API 1.50). Fields one of them writes only sometimes are nullable
 * and left out when null: {@code KernelMemory*} and {@code BridgeNf*} (20.10 only), {@code CgroupVersion},
 * {@code ProductLicense}, {@code DefaultAddressPools}, {@code FirewallBackend}, {@code CDISpecDirs},
 * {@code DiscoveredDevices}, {@code Containerd} (28 only).
 *
 * @param driverStatus pairs such as {@code ["Backing Filesystem","extfs"]}, printed under "Storage Driver"
 * @param systemTime RFC 3339 with nanoseconds
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SystemInfo(
    @JsonProperty("ID") String id,
    @JsonProperty("Containers") int containers,
    @JsonProperty("ContainersRunning") int containersRunning,
    @JsonProperty("ContainersPaused") int containersPaused,
    @JsonProperty("ContainersStopped") int containersStopped,
    @JsonProperty("Images") int images,
    @JsonProperty("Driver") String driver,
    @JsonProperty("DriverStatus") List<List<String>> driverStatus,
    @JsonProperty("SystemStatus") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<List<String>> systemStatus,
    @JsonProperty("Plugins") Plugins plugins,
    @JsonProperty("MemoryLimit") boolean memoryLimit,
    @JsonProperty("SwapLimit") boolean swapLimit,
    @JsonProperty("KernelMemory") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean kernelMemory,
    @JsonProperty("KernelMemoryTCP") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean kernelMemoryTcp,
    @JsonProperty("CpuCfsPeriod") boolean cpuCfsPeriod,
    @JsonProperty("CpuCfsQuota") boolean cpuCfsQuota,
    @JsonProperty("CPUShares") boolean cpuShares,
    @JsonProperty("CPUSet") boolean cpuSet,
    @JsonProperty("PidsLimit") boolean pidsLimit,
    @JsonProperty("IPv4Forwarding") boolean ipv4Forwarding,
    @JsonProperty("BridgeNfIptables") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean bridgeNfIptables,
    @JsonProperty("BridgeNfIp6tables") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean bridgeNfIp6tables,
    @JsonProperty("Debug") boolean debug,
    @JsonProperty("NFd") int nfd,
    @JsonProperty("OomKillDisable") boolean oomKillDisable,
    @JsonProperty("NGoroutines") int nGoroutines,
    @JsonProperty("SystemTime") String systemTime,
    @JsonProperty("LoggingDriver") String loggingDriver,
    @JsonProperty("CgroupDriver") String cgroupDriver,
    @JsonProperty("CgroupVersion") @JsonInclude(JsonInclude.Include.NON_EMPTY) String cgroupVersion,
    @JsonProperty("NEventsListener") int nEventsListener,
    @JsonProperty("KernelVersion") String kernelVersion,
    @JsonProperty("OperatingSystem") String operatingSystem,
    @JsonProperty("OSVersion") String osVersion,
    @JsonProperty("OSType") String osType,
    @JsonProperty("Architecture") String architecture,
    @JsonProperty("IndexServerAddress") String indexServerAddress,
    @JsonProperty("RegistryConfig") RegistryConfig registryConfig,
    @JsonProperty("NCPU") int ncpu,
    @JsonProperty("MemTotal") long memTotal,
    @JsonProperty("GenericResources") JsonNode genericResources,
    @JsonProperty("DockerRootDir") String dockerRootDir,
    @JsonProperty("HttpProxy") String httpProxy,
    @JsonProperty("HttpsProxy") String httpsProxy,
    @JsonProperty("NoProxy") String noProxy,
    @JsonProperty("Name") String name,
    @JsonProperty("Labels") List<String> labels,
    @JsonProperty("ExperimentalBuild") boolean experimentalBuild,
    @JsonProperty("ServerVersion") String serverVersion,
    @JsonProperty("Runtimes") Map<String, Runtime> runtimes,
    @JsonProperty("DefaultRuntime") String defaultRuntime,
    @JsonProperty("Swarm") Swarm swarm,
    @JsonProperty("LiveRestoreEnabled") boolean liveRestoreEnabled,
    @JsonProperty("Isolation") String isolation,
    @JsonProperty("InitBinary") String initBinary,
    @JsonProperty("ContainerdCommit") Commit containerdCommit,
    @JsonProperty("RuncCommit") Commit runcCommit,
    @JsonProperty("InitCommit") Commit initCommit,
    @JsonProperty("SecurityOptions") List<String> securityOptions,
    @JsonProperty("ProductLicense") @JsonInclude(JsonInclude.Include.NON_EMPTY) String productLicense,
    @JsonProperty("DefaultAddressPools") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<AddressPool> defaultAddressPools,
    @JsonProperty("FirewallBackend") @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode firewallBackend,
    @JsonProperty("CDISpecDirs") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> cdiSpecDirs,
    @JsonProperty("DiscoveredDevices") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JsonNode> discoveredDevices,
    @JsonProperty("Containerd") @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode containerd,
    @JsonProperty("Warnings") List<String> warnings) {

  public SystemInfo {
    // Go writes maps sorted by key.
    runtimes = runtimes == null ? null : Collections.unmodifiableMap(new TreeMap<>(runtimes));
  }

  /** Plugin names by kind; {@code Authorization} is null when none are configured, as Docker writes it. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Plugins(
      @JsonProperty("Volume") List<String> volume,
      @JsonProperty("Network") List<String> network,
      @JsonProperty("Authorization") List<String> authorization,
      @JsonProperty("Log") List<String> log) {}

  /**
   * Registry settings; {@code docker info} prints the insecure registries and mirrors. The
   * {@code AllowNondistributableArtifacts*} lists are gone in Docker 28 (null here, then left out).
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record RegistryConfig(
      @JsonProperty("AllowNondistributableArtifactsCIDRs") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> allowNondistributableArtifactsCidrs,
      @JsonProperty("AllowNondistributableArtifactsHostnames") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> allowNondistributableArtifactsHostnames,
      @JsonProperty("InsecureRegistryCIDRs") List<String> insecureRegistryCidrs,
      @JsonProperty("IndexConfigs") Map<String, IndexInfo> indexConfigs,
      @JsonProperty("Mirrors") List<String> mirrors) {
    public RegistryConfig {
      indexConfigs = indexConfigs == null ? null : Collections.unmodifiableMap(new TreeMap<>(indexConfigs));
    }
  }

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record IndexInfo(
      @JsonProperty("Name") String name,
      @JsonProperty("Mirrors") List<String> mirrors,
      @JsonProperty("Secure") boolean secure,
      @JsonProperty("Official") boolean official) {}

  /** An OCI runtime the daemon can use; lower-case keys, as Docker writes them. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Runtime(
      @JsonProperty("path") String path,
      @JsonProperty("runtimeArgs") List<String> runtimeArgs,
      @JsonProperty("status") Map<String, String> status) {}

  /** Swarm state; berth has no swarm, so {@link #INACTIVE} always. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Swarm(
      @JsonProperty("NodeID") String nodeId,
      @JsonProperty("NodeAddr") String nodeAddr,
      @JsonProperty("LocalNodeState") String localNodeState,
      @JsonProperty("ControlAvailable") boolean controlAvailable,
      @JsonProperty("Error") String error,
      @JsonProperty("RemoteManagers") List<JsonNode> remoteManagers) {
    public static final Swarm INACTIVE = new Swarm("", "", "inactive", false, "", null);
  }

  /** A component's commit; {@code docker info} prints {@code ID} as e.g. "runc version". */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Commit(
      @JsonProperty("ID") String id,
      @JsonProperty("Expected") @JsonInclude(JsonInclude.Include.NON_NULL) String expected) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record AddressPool(@JsonProperty("Base") String base, @JsonProperty("Size") int size) {}
}

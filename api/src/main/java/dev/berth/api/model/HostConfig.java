package dev.berth.api.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Docker's {@code container.HostConfig} in its field order, as clients send it to {@code
 * /containers/create} and as inspect shows it. Go writes the fields without {@code omitempty}
 * always (null, 0, "" or false), the others only when set.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record HostConfig(
    @JsonProperty("Binds") List<String> binds,
    @JsonProperty("ContainerIDFile") String containerIdFile,
    @JsonProperty("LogConfig") LogConfig logConfig,
    @JsonProperty("NetworkMode") String networkMode,
    @JsonProperty("PortBindings") Map<String, Object> portBindings,
    @JsonProperty("RestartPolicy") RestartPolicy restartPolicy,
    @JsonProperty("AutoRemove") boolean autoRemove,
    @JsonProperty("VolumeDriver") String volumeDriver,
    @JsonProperty("VolumesFrom") List<String> volumesFrom,
    @JsonProperty("ConsoleSize") List<Integer> consoleSize,
    @JsonProperty("Annotations") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> annotations,
    @JsonProperty("CapAdd") List<String> capAdd,
    @JsonProperty("CapDrop") List<String> capDrop,
    @JsonProperty("CgroupnsMode") String cgroupnsMode,
    @JsonProperty("Dns") List<String> dns,
    @JsonProperty("DnsOptions") List<String> dnsOptions,
    @JsonProperty("DnsSearch") List<String> dnsSearch,
    @JsonProperty("ExtraHosts") List<String> extraHosts,
    @JsonProperty("GroupAdd") List<String> groupAdd,
    @JsonProperty("IpcMode") String ipcMode,
    @JsonProperty("Cgroup") String cgroup,
    @JsonProperty("Links") List<String> links,
    @JsonProperty("OomScoreAdj") int oomScoreAdj,
    @JsonProperty("PidMode") String pidMode,
    @JsonProperty("Privileged") boolean privileged,
    @JsonProperty("PublishAllPorts") boolean publishAllPorts,
    @JsonProperty("ReadonlyRootfs") boolean readonlyRootfs,
    @JsonProperty("SecurityOpt") List<String> securityOpt,
    @JsonProperty("StorageOpt") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> storageOpt,
    @JsonProperty("Tmpfs") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> tmpfs,
    @JsonProperty("UTSMode") String utsMode,
    @JsonProperty("UsernsMode") String usernsMode,
    @JsonProperty("ShmSize") long shmSize,
    @JsonProperty("Sysctls") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> sysctls,
    @JsonProperty("Runtime") @JsonInclude(JsonInclude.Include.NON_EMPTY) String runtime,
    @JsonProperty("Isolation") String isolation,
    @JsonProperty("CpuShares") long cpuShares,
    @JsonProperty("Memory") long memory,
    @JsonProperty("NanoCpus") long nanoCpus,
    @JsonProperty("CgroupParent") String cgroupParent,
    @JsonProperty("BlkioWeight") int blkioWeight,
    @JsonProperty("BlkioWeightDevice") List<Object> blkioWeightDevice,
    @JsonProperty("BlkioDeviceReadBps") List<Object> blkioDeviceReadBps,
    @JsonProperty("BlkioDeviceWriteBps") List<Object> blkioDeviceWriteBps,
    @JsonProperty("BlkioDeviceReadIOps") List<Object> blkioDeviceReadIOps,
    @JsonProperty("BlkioDeviceWriteIOps") List<Object> blkioDeviceWriteIOps,
    @JsonProperty("CpuPeriod") long cpuPeriod,
    @JsonProperty("CpuQuota") long cpuQuota,
    @JsonProperty("CpuRealtimePeriod") long cpuRealtimePeriod,
    @JsonProperty("CpuRealtimeRuntime") long cpuRealtimeRuntime,
    @JsonProperty("CpusetCpus") String cpusetCpus,
    @JsonProperty("CpusetMems") String cpusetMems,
    @JsonProperty("Devices") List<Object> devices,
    @JsonProperty("DeviceCgroupRules") List<String> deviceCgroupRules,
    @JsonProperty("DeviceRequests") List<Object> deviceRequests,
    @JsonProperty("MemoryReservation") long memoryReservation,
    @JsonProperty("MemorySwap") long memorySwap,
    @JsonProperty("MemorySwappiness") Long memorySwappiness,
    @JsonProperty("OomKillDisable") Boolean oomKillDisable,
    @JsonProperty("PidsLimit") Long pidsLimit,
    @JsonProperty("Ulimits") List<Object> ulimits,
    @JsonProperty("CpuCount") long cpuCount,
    @JsonProperty("CpuPercent") long cpuPercent,
    @JsonProperty("IOMaximumIOps") long ioMaximumIOps,
    @JsonProperty("IOMaximumBandwidth") long ioMaximumBandwidth,
    @JsonProperty("Mounts") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Mount> mounts,
    @JsonProperty("MaskedPaths") List<String> maskedPaths,
    @JsonProperty("ReadonlyPaths") List<String> readonlyPaths,
    @JsonProperty("Init") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean init) {

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record LogConfig(@JsonProperty("Type") String type, @JsonProperty("Config") Map<String, String> config) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record RestartPolicy(@JsonProperty("Name") String name, @JsonProperty("MaximumRetryCount") int maximumRetryCount) {}

  /** {@code --mount}: Docker's {@code mount.Mount}. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Mount(
      @JsonProperty("Type") String type,
      @JsonProperty("Source") String source,
      @JsonProperty("Target") String target,
      @JsonProperty("ReadOnly") boolean readOnly,
      @JsonProperty("TmpfsOptions") JsonNode tmpfsOptions) {}
}

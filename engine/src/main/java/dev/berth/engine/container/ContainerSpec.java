package dev.berth.engine.container;

import java.util.List;
import java.util.Map;

/**
 * What a container is asked to be: Docker's {@code Config} and {@code HostConfig} as berth
 * understands them. After {@link ContainerService#create} the stored spec is the effective one:
 * entrypoint, cmd, env, working dir, user, labels and stop signal merged with the image's config,
 * as Docker's inspect shows them.
 *
 * @param entrypoint null: the image's; empty: none (Docker's {@code --entrypoint ""})
 * @param cmd null: the image's (dropped when an entrypoint is given, as Docker does)
 * @param stopTimeout seconds; null: the daemon's default (10)
 */
public record ContainerSpec(
    String image,
    List<String> entrypoint,
    List<String> cmd,
    List<String> env,
    String workingDir,
    String user,
    Map<String, String> labels,
    String hostname,
    String domainname,
    boolean tty,
    boolean openStdin,
    boolean stdinOnce,
    boolean attachStdin,
    boolean attachStdout,
    boolean attachStderr,
    String stopSignal,
    Integer stopTimeout,
    Host host) {

  public ContainerSpec {
    entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    cmd = cmd == null ? null : List.copyOf(cmd);
    env = env == null ? List.of() : List.copyOf(env);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    workingDir = workingDir == null ? "" : workingDir;
    user = user == null ? "" : user;
    hostname = hostname == null ? "" : hostname;
    domainname = domainname == null ? "" : domainname;
    host = host == null ? Host.DEFAULT : host;
  }

  /** A spec that only names an image and a command. */
  public static ContainerSpec of(String image, List<String> cmd) {
    return new ContainerSpec(image, null, cmd, null, null, null, null, null, null, false, false, false,
        false, true, true, null, null, Host.DEFAULT);
  }

  public ContainerSpec withHost(Host h) {
    return new ContainerSpec(image, entrypoint, cmd, env, workingDir, user, labels, hostname, domainname, tty,
        openStdin, stdinOnce, attachStdin, attachStdout, attachStderr, stopSignal, stopTimeout, h);
  }

  /** The process argv: entrypoint then cmd. */
  public List<String> argv() {
    var all = new java.util.ArrayList<String>();
    if (entrypoint != null) {
      all.addAll(entrypoint);
    }
    if (cmd != null) {
      all.addAll(cmd);
    }
    return all;
  }

  /**
   * Docker's {@code HostConfig}, the parts berth honours.
   *
   * @param binds {@code -v} entries: {@code /host:/ctr[:ro]} or {@code volume:/ctr[:ro]}
   * @param tmpfs container path → mount options ({@code --tmpfs /run:size=64m})
   * @param networkMode {@code none}, {@code host} (and {@code default}/{@code bridge}, treated as none for now)
   * @param memory bytes, 0 unlimited
   * @param memorySwap bytes of memory plus swap, 0 unset, -1 unlimited
   * @param nanoCpus {@code --cpus} × 10⁹
   * @param pidsLimit null or ≤ 0: unlimited
   * @param init whether to run an init as pid 1 ({@code --init}); null: the daemon's default (no)
   */
  public record Host(
      List<String> binds,
      List<MountSpec> mounts,
      Map<String, String> tmpfs,
      boolean readOnly,
      String networkMode,
      long memory,
      long memorySwap,
      long nanoCpus,
      long cpuShares,
      Long pidsLimit,
      List<String> capAdd,
      List<String> capDrop,
      boolean privileged,
      List<String> securityOpt,
      RestartPolicy restartPolicy,
      boolean autoRemove,
      String runtime,
      LogConfig logConfig,
      Boolean init) {
    public static final Host DEFAULT = new Host(null, null, null, false, null, 0, 0, 0, 0, null, null, null,
        false, null, null, false, null, null, null);

    public Host {
      binds = binds == null ? List.of() : List.copyOf(binds);
      mounts = mounts == null ? List.of() : List.copyOf(mounts);
      tmpfs = tmpfs == null ? Map.of() : Map.copyOf(tmpfs);
      networkMode = networkMode == null || networkMode.isEmpty() ? "default" : networkMode;
      capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
      capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
      securityOpt = securityOpt == null ? List.of() : List.copyOf(securityOpt);
      restartPolicy = restartPolicy == null ? RestartPolicy.NO : restartPolicy;
      runtime = runtime == null ? "" : runtime;
      logConfig = logConfig == null ? LogConfig.DEFAULT : logConfig;
    }
  }

  /** {@code --log-driver} and {@code --log-opt}: berth writes k8s-file logs; max-size and max-file rotate them. */
  public record LogConfig(String type, Map<String, String> config) {
    public static final LogConfig DEFAULT = new LogConfig("json-file", Map.of());

    public LogConfig {
      type = type == null || type.isEmpty() ? "json-file" : type;
      config = config == null ? Map.of() : Map.copyOf(config);
    }
  }

  /**
   * A mount as the Engine API's {@code HostConfig.Mounts} and inspect's {@code Mounts} describe it.
   *
   * @param type {@code bind}, {@code volume} or {@code tmpfs}
   * @param source host path, volume name, or empty for tmpfs
   */
  public record MountSpec(String type, String source, String destination, boolean readOnly, List<String> options) {
    public MountSpec {
      options = options == null ? List.of() : List.copyOf(options);
      source = source == null ? "" : source;
    }
  }
}

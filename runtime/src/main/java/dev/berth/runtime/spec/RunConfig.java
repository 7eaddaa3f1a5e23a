package dev.berth.runtime.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code docker run} / {@code create} ask for on top of the image config, as the runtime
 * needs it. {@code entrypoint == null} means "not given" (the image's applies); an empty list or
 * {@code [""]} clears it, as {@code --entrypoint ""}. {@code null} strings mean "the image's".
 *
 * <pre>{@code
 * var run = RunConfig.builder().cmd(List.of("echo", "hello")).env(List.of("A=1")).user("nobody")
 *     .limits(Limits.NONE.withMemory(Limits.parseBytes("memory", "64m"))).build();
 * }</pre>
 */
public record RunConfig(
    List<String> entrypoint,
    List<String> cmd,
    List<String> env,
    String workingDir,
    String user,
    List<String> groupAdd,
    String hostname,
    boolean tty,
    boolean openStdin,
    Network network,
    List<String> capAdd,
    List<String> capDrop,
    boolean privileged,
    boolean noNewPrivileges,
    boolean readOnlyRootfs,
    List<MountSpec> mounts,
    Limits limits,
    List<Spec.Rlimit> ulimits,
    Map<String, String> annotations) {

  /** {@code --network none} (own empty net namespace), {@code host} (no net namespace), or a namespace path. */
  public sealed interface Network {
    record None() implements Network {}

    record Host() implements Network {}

    /** Join an existing network namespace, e.g. one the engine set up for a bridge network. */
    record Path(String path) implements Network {}
  }

  public RunConfig {
    entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    cmd = cmd == null ? List.of() : List.copyOf(cmd);
    env = env == null ? List.of() : List.copyOf(env);
    groupAdd = groupAdd == null ? List.of() : List.copyOf(groupAdd);
    network = network == null ? new Network.None() : network;
    capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
    capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    limits = limits == null ? Limits.NONE : limits;
    ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Constructs a {@link RunConfig}; every field defaults to "not given". */
  public static final class Builder {
    private List<String> entrypoint;
    private List<String> cmd = List.of();
    private List<String> env = List.of();
    private String workingDir;
    private String user;
    private List<String> groupAdd = List.of();
    private String hostname;
    private boolean tty;
    private boolean openStdin;
    private Network network = new Network.None();
    private List<String> capAdd = List.of();
    private List<String> capDrop = List.of();
    private boolean privileged;
    private boolean noNewPrivileges;
    private boolean readOnlyRootfs;
    private final List<MountSpec> mounts = new ArrayList<>();
    private Limits limits = Limits.NONE;
    private List<Spec.Rlimit> ulimits = List.of();
    private final Map<String, String> annotations = new LinkedHashMap<>();

    private Builder() {}

    public Builder entrypoint(List<String> v) { entrypoint = v; return this; }
    public Builder cmd(List<String> v) { cmd = v; return this; }
    public Builder cmd(String... v) { cmd = List.of(v); return this; }
    public Builder env(List<String> v) { env = v; return this; }
    public Builder workingDir(String v) { workingDir = v; return this; }
    public Builder user(String v) { user = v; return this; }
    public Builder groupAdd(List<String> v) { groupAdd = v; return this; }
    public Builder hostname(String v) { hostname = v; return this; }
    public Builder tty(boolean v) { tty = v; return this; }
    public Builder openStdin(boolean v) { openStdin = v; return this; }
    public Builder network(Network v) { network = v; return this; }
    public Builder capAdd(List<String> v) { capAdd = v; return this; }
    public Builder capDrop(List<String> v) { capDrop = v; return this; }
    public Builder privileged(boolean v) { privileged = v; return this; }
    public Builder noNewPrivileges(boolean v) { noNewPrivileges = v; return this; }
    public Builder readOnlyRootfs(boolean v) { readOnlyRootfs = v; return this; }
    public Builder mount(MountSpec m) { mounts.add(m); return this; }
    public Builder limits(Limits v) { limits = v; return this; }
    public Builder ulimits(List<Spec.Rlimit> v) { ulimits = v; return this; }
    public Builder annotation(String k, String v) { annotations.put(k, v); return this; }

    public RunConfig build() {
      return new RunConfig(entrypoint, cmd, env, workingDir, user, groupAdd, hostname, tty, openStdin, network,
          capAdd, capDrop, privileged, noNewPrivileges, readOnlyRootfs, mounts, limits, ulimits, annotations);
    }
  }
}

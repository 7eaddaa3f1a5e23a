package dev.berth.runtime.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.oci.Json;
import java.util.List;
import java.util.Map;

/**
 * An OCI runtime-spec bundle configuration ({@code config.json}), limited to the fields berth
 * writes. Immutable: the {@code with*} methods return a new value, so a spec is composed by
 * applying {@link SpecOption}s to {@link Specs#defaultSpec()}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Spec(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts,
    Map<String, String> annotations, Linux linux) {

  public static final String OCI_VERSION = "1.0.2-dev";

  public Spec {
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    annotations = annotations == null ? null : Map.copyOf(annotations);
  }

  public Spec withProcess(Process p) {
    return new Spec(ociVersion, p, root, hostname, mounts, annotations, linux);
  }

  public Spec withRoot(Root r) {
    return new Spec(ociVersion, process, r, hostname, mounts, annotations, linux);
  }

  public Spec withHostname(String h) {
    return new Spec(ociVersion, process, root, h, mounts, annotations, linux);
  }

  public Spec withMounts(List<Mount> m) {
    return new Spec(ociVersion, process, root, hostname, m, annotations, linux);
  }

  public Spec withLinux(Linux l) {
    return new Spec(ociVersion, process, root, hostname, mounts, annotations, l);
  }

  public Spec withAnnotations(Map<String, String> a) {
    return new Spec(ociVersion, process, root, hostname, mounts, a, linux);
  }

  /** The config.json bytes (pretty, stable field order). */
  public byte[] toJson() {
    return Json.writePretty(this).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  public static Spec parse(byte[] json, String what) {
    return Json.read(json, Spec.class, what, Json.MAX_METADATA_BYTES);
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
      Capabilities capabilities, List<Rlimit> rlimits, boolean noNewPrivileges, Integer oomScoreAdj) {
    public Process {
      args = args == null ? List.of() : List.copyOf(args);
      env = env == null ? List.of() : List.copyOf(env);
      rlimits = rlimits == null ? List.of() : List.copyOf(rlimits);
    }

    public Process withTerminal(boolean t) {
      return new Process(t, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, oomScoreAdj);
    }

    public Process withUser(User u) {
      return new Process(terminal, u, args, env, cwd, capabilities, rlimits, noNewPrivileges, oomScoreAdj);
    }

    public Process withArgs(List<String> a) {
      return new Process(terminal, user, a, env, cwd, capabilities, rlimits, noNewPrivileges, oomScoreAdj);
    }

    public Process withEnv(List<String> e) {
      return new Process(terminal, user, args, e, cwd, capabilities, rlimits, noNewPrivileges, oomScoreAdj);
    }

    public Process withCwd(String c) {
      return new Process(terminal, user, args, env, c, capabilities, rlimits, noNewPrivileges, oomScoreAdj);
    }

    public Process withCapabilities(Capabilities c) {
      return new Process(terminal, user, args, env, cwd, c, rlimits, noNewPrivileges, oomScoreAdj);
    }

    public Process withRlimits(List<Rlimit> r) {
      return new Process(terminal, user, args, env, cwd, capabilities, r, noNewPrivileges, oomScoreAdj);
    }

    public Process withNoNewPrivileges(boolean n) {
      return new Process(terminal, user, args, env, cwd, capabilities, rlimits, n, oomScoreAdj);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record User(long uid, long gid, List<Long> additionalGids) {
    public User {
      additionalGids = additionalGids == null || additionalGids.isEmpty() ? null : List.copyOf(additionalGids);
    }
  }

  /** Capability sets, names like {@code CAP_CHOWN}. Ambient stays empty, as Docker's. */
  public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
      List<String> permitted, List<String> ambient) {
    public static Capabilities of(List<String> caps) {
      var c = List.copyOf(caps);
      return new Capabilities(c, c, List.of(), c, List.of());
    }
  }

  public record Rlimit(String type, long hard, long soft) {}

  public record Root(String path, boolean readonly) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Mount(String destination, String type, String source, List<String> options) {
    public Mount {
      options = options == null ? List.of() : List.copyOf(options);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Linux(List<Namespace> namespaces, Resources resources, String cgroupsPath, Seccomp seccomp,
      List<String> maskedPaths, List<String> readonlyPaths, Map<String, String> sysctl) {
    public Linux {
      namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
      maskedPaths = maskedPaths == null ? List.of() : List.copyOf(maskedPaths);
      readonlyPaths = readonlyPaths == null ? List.of() : List.copyOf(readonlyPaths);
      sysctl = sysctl == null ? null : Map.copyOf(sysctl);
    }

    public Linux withNamespaces(List<Namespace> n) {
      return new Linux(n, resources, cgroupsPath, seccomp, maskedPaths, readonlyPaths, sysctl);
    }

    public Linux withResources(Resources r) {
      return new Linux(namespaces, r, cgroupsPath, seccomp, maskedPaths, readonlyPaths, sysctl);
    }

    public Linux withCgroupsPath(String p) {
      return new Linux(namespaces, resources, p, seccomp, maskedPaths, readonlyPaths, sysctl);
    }

    public Linux withSeccomp(Seccomp s) {
      return new Linux(namespaces, resources, cgroupsPath, s, maskedPaths, readonlyPaths, sysctl);
    }

    public Linux withMaskedPaths(List<String> m) {
      return new Linux(namespaces, resources, cgroupsPath, seccomp, m, readonlyPaths, sysctl);
    }

    public Linux withReadonlyPaths(List<String> r) {
      return new Linux(namespaces, resources, cgroupsPath, seccomp, maskedPaths, r, sysctl);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Namespace(String type, String path) {
    public static Namespace of(String type) {
      return new Namespace(type, null);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids) {
    public Resources {
      devices = devices == null ? List.of() : List.copyOf(devices);
    }

    public Resources withMemory(Memory m) {
      return new Resources(devices, m, cpu, pids);
    }

    public Resources withCpu(Cpu c) {
      return new Resources(devices, memory, c, pids);
    }

    public Resources withPids(Pids p) {
      return new Resources(devices, memory, cpu, p);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Memory(Long limit, Long swap) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Cpu(Long shares, Long quota, Long period) {}

  public record Pids(long limit) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Seccomp(String defaultAction, Integer defaultErrnoRet, List<String> architectures,
      List<Syscall> syscalls) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Syscall(List<String> names, String action, Integer errnoRet, List<SeccompArg> args) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SeccompArg(int index, long value, Long valueTwo, String op) {}
}
